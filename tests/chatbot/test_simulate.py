"""`flask chat simulate`: the terminal conversation for curators and reviewers."""

from __future__ import annotations

import io

from chatbot.simulate import run

from .conftest import WEEKDAY, identity


def test_simulate_prints_each_reply_with_its_route(flow, directory):
    """Does each line typed get the reply, its route, contacts and segment count?"""
    out = io.StringIO()
    count = run(
        directory, flow, identity, io.StringIO("hello\n2\nMaltby\n"), out, now=lambda: WEEKDAY
    )
    text = out.getvalue()
    assert count == 3
    assert "[en question: who | danger: none" in text
    assert "[en answer: worried_local" in text
    assert "01709 336080" in text and "01709 823987" not in text
    assert "gsm7 segments]" in text
