"""The Babel extractor finds every prompt in the flow files, and nothing else."""

from __future__ import annotations

import io

from chatbot.babel_extract import extract_flow

from .conftest import ROOT


def _extract(name: str) -> list[tuple[int, str]]:
    path = ROOT / "content" / "flows" / name
    with path.open("rb") as handle:
        return [(line, message) for line, _, message, _ in extract_flow(handle, {}, [], {})]


def test_every_prompt_is_extracted(flow):
    """Is every string the engine can show found, so translators see all of them?"""
    found = {
        m for name in ("triage.yaml", "safety.yaml", "lexicon.yaml") for _, m in _extract(name)
    }
    assert found == set(flow.msgids())


def test_phrases_to_match_are_not_extracted():
    """Are danger phrases and vocabulary left out of the catalogues?"""
    assert _extract("lexicon.yaml") == []
    messages = [m for _, m in _extract("safety.yaml")]
    assert "knife" not in messages
    assert any(m.startswith("Call %(number)s now") for m in messages)


def test_line_numbers_point_at_the_text():
    """Do the reported lines point at the msgid, for translators' context?"""
    lines = (ROOT / "content" / "flows" / "triage.yaml").read_text(encoding="utf-8").splitlines()
    for line, message in _extract("triage.yaml"):
        assert message[:20] in lines[line - 1]


def test_empty_file():
    """Does an empty file give no messages rather than an error?"""
    assert list(extract_flow(io.BytesIO(b""), {}, [], {})) == []
