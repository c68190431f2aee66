"""Catalogues: the .pot is current, every shipped language is complete and compiles."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from web.locale import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
SHIPPED = [code for code in LANGUAGES if code != "en"]
# Catalogues the team has declared complete in status.yaml; the completeness check holds them to it.
STATUS = yaml.safe_load((TRANSLATIONS / "status.yaml").read_text(encoding="utf-8"))
COMPLETE = [code for code in SHIPPED if STATUS[code].get("catalogue_complete")]


def msgids(catalog) -> set:
    return {m.id for m in catalog if m.id}


def load(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def test_pot_is_not_stale(tmp_path):
    """Does the committed .pot hold exactly the messages the code and flows use today?"""
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "--no-location",
            "--sort-by-file",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    committed = msgids(load(TRANSLATIONS / "messages.pot"))
    assert msgids(load(fresh)) == committed, "run `make translations-update` and commit"


@pytest.mark.parametrize("code", COMPLETE)
def test_catalogue_complete(code):
    """Has every message a translation that is neither empty nor fuzzy?"""
    catalog = load(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po")
    template = msgids(load(TRANSLATIONS / "messages.pot"))
    assert msgids(catalog) >= template, f"{code}: run `make translations-update`"
    untranslated = [
        m.id
        for m in catalog
        if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"{code}: {len(untranslated)} untranslated, e.g. {untranslated[:3]}"
    assert not fuzzy, f"{code}: fuzzy entries {fuzzy[:3]}"


@pytest.mark.parametrize("code", COMPLETE)
def test_catalogue_compiles_and_placeholders_match(code):
    """Does each translation keep the %(name)s placeholders of its English message?"""
    import re

    catalog = load(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po")
    placeholder = re.compile(r"%\(\w+\)s")
    for message in catalog:
        if not message.id or isinstance(message.id, tuple):
            continue
        assert sorted(placeholder.findall(message.id)) == sorted(
            placeholder.findall(message.string)
        ), f"{code}: {message.id!r}"
    assert list(catalog.check()) == [] or all(not errors for _, errors in catalog.check())


@pytest.mark.parametrize("code", SHIPPED)
def test_review_status_recorded(code):
    """Does each language say whether a native speaker has reviewed it?"""
    import yaml

    status = yaml.safe_load((TRANSLATIONS / "status.yaml").read_text(encoding="utf-8"))
    assert isinstance(status[code]["reviewed"], bool)


def test_missing_compiled_catalogue_is_said_loudly_at_start_up(tmp_path, index_dir, caplog):
    """Does the app say at start-up which languages would fall back to English, and why?"""
    import logging

    from app import create_app

    with caplog.at_level(logging.ERROR):
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "DATABASE_URL": f"sqlite:///{tmp_path / 't.sqlite3'}",
                "LANTERN_INDEX_DIR": str(index_dir),
                "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "no-catalogues"),
            }
        )
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("NO COMPILED CATALOGUE for ur, ar, pl, sk, cs, ro" in e for e in errors), errors
    assert any("make translations-compile" in e for e in errors)


def test_no_warning_when_every_catalogue_is_compiled(app, caplog):
    """Is the warning kept for a real problem (the test run compiles every catalogue)?"""
    from web.locale import missing_catalogues

    assert missing_catalogues(app) == []
