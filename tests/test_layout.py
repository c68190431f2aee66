"""The dependency rule of DESIGN.md §3, checked on the source."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"flask", "flask_babel", "flask_limiter", "twilio", "werkzeug"}


def parse(path: Path) -> ast.AST:
    """Parse in a fresh thread: the browser tests' greenlets upset the parser's depth count."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(ast.parse, path.read_text(encoding="utf-8")).result()


def imported_modules(path: Path) -> set[str]:
    tree = parse(path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_engine_directory_and_storage_import_no_web_framework():
    """Do directory/, storage/ and chatbot/ (outside channels) stay free of Flask and Twilio?"""
    offenders = {}
    for folder in ("directory", "chatbot", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            if "channels" in path.parts:
                continue
            bad = imported_modules(path) & FORBIDDEN
            if bad:
                offenders[str(path.relative_to(ROOT))] = bad
    assert not offenders, offenders


def test_directory_does_not_import_chatbot_or_web():
    for path in (ROOT / "directory").rglob("*.py"):
        assert not imported_modules(path) & {"chatbot", "web", "app"}, path
