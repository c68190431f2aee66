"""Dependencies point one way (DESIGN.md §3): one test encodes every allowed direction."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

FRAMEWORKS = {"flask", "flask_babel", "flask_login", "twilio", "werkzeug"}
# The request helpers channels may use; nothing else of web/.
HELPERS = {"web.clock", "web.csrf", "web.insight", "web.limits", "web.locale", "web.pagecache"}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add(node.module or "")
    return found


def _modules(folder: str, skip: str | None = None) -> list[Path]:
    return [
        p
        for p in sorted((ROOT / folder).rglob("*.py"))
        if skip is None or skip not in p.relative_to(ROOT).parts
    ]


@pytest.mark.parametrize("path", _modules("chatbot", skip="channels"), ids=str)
def test_engine_and_reader_import_no_framework_and_nothing_above(path):
    """Does chatbot/ (outside channels/), the reader included, stay plain Python?"""
    for name in _imports(path):
        root = name.split(".")[0]
        assert root not in FRAMEWORKS | {"web", "storage"}, (path, name)


@pytest.mark.parametrize("path", _modules("directory"), ids=str)
def test_directory_imports_no_framework_and_nothing_above(path):
    """Does directory/ import neither Flask nor the engine, the web or storage?"""
    for name in _imports(path):
        assert name.split(".")[0] not in FRAMEWORKS | {"web", "chatbot", "storage"}, (path, name)


@pytest.mark.parametrize("path", _modules("chatbot/channels"), ids=str)
def test_channels_import_only_request_helpers_from_web(path):
    """Do the channels take only the small request helpers from web/?"""
    for name in _imports(path):
        if name.split(".")[0] == "web":
            assert name in HELPERS, (path, name)


@pytest.mark.parametrize("path", _modules("web"), ids=str)
def test_web_never_imports_the_channels(path):
    """Does web/ leave the channels alone, so the two never import each other?"""
    for name in _imports(path):
        assert not name.startswith("chatbot.channels"), (path, name)
