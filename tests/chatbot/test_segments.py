"""Every reply the flow can produce, in every language, fits the SMS allowance."""

from __future__ import annotations

import itertools
from functools import cache

import pytest
from babel.messages.pofile import read_po

from chatbot import step
from chatbot.segments import fits, is_gsm7, segments

from .conftest import ROOT, WEEKDAY, WEEKEND_NIGHT

WHO = (None, "young", "worried", "survivor", "professional", "accused", "other")
TOPICS = (None, "images", "missing", "info", "thoughts", "forced_marriage", "criminal", "other")
WANTS = (None, "talk", "report", "tell", "scared", "counselling")
AREAS = (None, "none", "rotherham", "havering")
LEADS = ("ok", "knife", "want to die")  # no danger, danger, suicide
WORDS = ("help", "stop", "menu", "thanks")


@cache
def catalogue(locale: str) -> dict[str, str]:
    """Return the shipped translations for a language (none yet: English stands in)."""
    path = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        po = read_po(handle)
    return {m.id: m.string for m in po if m.id and m.string and not m.fuzzy}


def translate(msgid: str, locale: str) -> str:
    return catalogue(locale).get(msgid, msgid)


def every_reply(flow, directory, locale):
    """Yield (description, reply) for every question, answer and word, with and without danger."""
    for who, topic, area, age, asked, lead, now, want in itertools.product(
        WHO, TOPICS, AREAS, (None, 14), (0, 2), LEADS, (WEEKDAY, WEEKEND_NIGHT), WANTS
    ):
        if now is WEEKEND_NIGHT and area != "rotherham":
            continue  # only the front door depends on the time
        if want is not None and (topic not in (None, "images") or age is not None or asked):
            continue  # a follow-up pick depends on who is asking, not on the rest
        state = {
            "v": 2,
            "locale": locale,
            "chosen": True,
            "node": None,
            "answer": None,
            "facts": {
                "who": who,
                "age": age,
                "area": area,
                "area_kind": None,
                "topic": topic,
                "want": want,
                "asked": asked,
            },
        }
        _, reply = step(
            state, lead, locale, now, directory=directory, flow=flow, translate=translate
        )
        yield f"{who}/{topic}/{area}/{age}/{asked}/{lead}", reply
    for word, lead in itertools.product(WORDS, ("", " knife")):
        state = {
            "v": 2,
            "locale": locale,
            "chosen": True,
            "node": None,
            "answer": "young",
            "facts": {"who": "young", "asked": 1},
        }
        _, reply = step(
            state, word + lead, locale, WEEKDAY, directory=directory, flow=flow, translate=translate
        )
        yield word + lead, reply


@pytest.fixture(scope="module")
def replies(flow, directory):
    """Every reply per language, worked out once for the tests below."""
    found: dict[str, list] = {}

    def get(locale: str) -> list:
        if locale not in found:
            found[locale] = list(every_reply(flow, directory, locale))
        return found[locale]

    return get


@pytest.mark.parametrize("locale", ["en", "ur", "ar", "pl", "sk", "cs", "ro"])
def test_every_reply_fits(flow, replies, locale):
    """Does every reply fit 2 GSM-7 segments in English (GSM-7 only), 4 UCS-2 otherwise?"""
    longest = (0, "")
    seen = set()
    for description, reply in replies(locale):
        text = reply.text()
        seen.add((reply.kind, reply.route))
        if locale == "en":
            assert is_gsm7(text), (description, text)
        assert fits(text, 2, 4), (description, segments(text), text)
        longest = max(longest, (segments(text)[1], description))
    assert {kind for kind, _ in seen} >= {"question", "answer", "help", "stop", "after"}
    assert {route for kind, route in seen if kind == "answer"} == set(flow.answers)
    follow_ups = set(flow.follow_up.values())  # offered after an answer, never asked alone
    assert {route for kind, route in seen if kind == "question"} == set(flow.nodes) - follow_ups
    print(f"{locale}: longest reply {longest[0]} segments ({longest[1]})")


def test_english_replies_without_danger_are_never_shortened(replies):
    """Without a danger warning, does every English answer keep its closing line?"""
    for description, reply in replies("en"):
        if reply.kind == "answer" and not reply.danger:
            assert reply.lines[-1].text == "Reply MENU to start again.", description


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("gsm7", 0)),
        ("a" * 160, ("gsm7", 1)),
        ("a" * 161, ("gsm7", 2)),
        ("a" * 306, ("gsm7", 2)),
        ("€" * 80, ("gsm7", 1)),
        ("€" * 81, ("gsm7", 2)),
        ("ą" * 70, ("ucs2", 1)),
        ("ą" * 71, ("ucs2", 2)),
        ("ą" * 268, ("ucs2", 4)),
        ("😀" * 35, ("ucs2", 1)),
        ("’", ("ucs2", 1)),
    ],
)
def test_segment_counting(text, expected):
    """Are segments counted as carriers do (extension characters cost two)?"""
    assert segments(text) == expected
