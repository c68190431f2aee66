"""Properties of the engine on the shipped flow, whatever people send."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatbot import step
from chatbot.engine import MAX_NUMBERS

from .conftest import ROOT, WEEKDAY, WEEKEND_NIGHT, identity

SAFETY = yaml.safe_load((ROOT / "content" / "flows" / "safety.yaml").read_text(encoding="utf-8"))
DANGER_PHRASES = sorted(
    phrase.replace("*", "")
    for group in SAFETY["danger"]
    for phrases in group["phrases"].values()
    for phrase in phrases
)
NAUGHTY = [
    "",
    " ",
    "\x00",
    "\u202e",
    "%(number)s",
    "%s%s%s",
    "{0}",
    "<script>alert(1)</script>",
    "'; DROP TABLE conversations; --",
    "😀" * 50,
    "\ufeff",
    "ﷺ",
    "1" * 500,
    "-1",
    "0",
    "999",
    "STOP STOP",
    "MENU",
    "Ω≈ç√∫",
    "田中さんにあげて下さい",
    "\r\n\r\n",
    "null",
    "NaN",
    "١٢",
    "9" * 40,
]
message = st.one_of(st.text(max_size=400), st.sampled_from(NAUGHTY))
# Ordinary words around a danger phrase, as people write them. (A phrase inside words that say
# the opposite, "not in danger", may be overruled by the classifier: docs/triage.md.)
NEUTRAL = [
    "hi",
    "so",
    "um",
    "please",
    "today",
    "my",
    "phone",
    "and",
    "then",
    "ok",
    "now",
    "he",
    "she",
    "they",
    "at",
    "home",
    "school",
    "tonight",
    "help",
    "pls",
    "idk",
    "omg",
]
filler = st.lists(st.sampled_from(NEUTRAL), max_size=8).map(" ".join)
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _check(reply):
    assert reply.text().strip()
    assert reply.contacts or reply.options
    assert reply.numbers <= MAX_NUMBERS


@SETTINGS
@given(
    messages=st.lists(message, min_size=1, max_size=5),
    locale=st.sampled_from(["en", "ur", "ar", "pl", "sk", "cs", "ro", "xx"]),
    late=st.booleans(),
)
def test_any_input_gets_a_contact_or_a_question(flow, directory, messages, locale, late):
    """Does every message, however odd, get a reply naming a contact or asking a question?"""
    state = None
    now = WEEKEND_NIGHT if late else WEEKDAY
    for text in messages:
        state, reply = step(
            state, text, locale, now, directory=directory, flow=flow, translate=identity
        )
        _check(reply)


@SETTINGS
@given(before=filler, after=filler, phrase=st.sampled_from(DANGER_PHRASES), shout=st.booleans())
def test_a_danger_phrase_anywhere_leads_with_999(flow, directory, before, after, phrase, shout):
    """Does a danger phrase, wherever it sits in a message, put 999 first?"""
    phrase = phrase.upper() if shout else phrase
    _, reply = step(
        None,
        f"{before} {phrase} {after}",
        "en",
        WEEKDAY,
        directory=directory,
        flow=flow,
        translate=identity,
    )
    assert reply.lines[0].service == "emergency-999"
    _check(reply)


@SETTINGS
@given(phrase=st.sampled_from(DANGER_PHRASES), history=st.lists(message, max_size=3))
def test_danger_leads_with_999_at_any_point_in_a_conversation(flow, directory, phrase, history):
    """Is the danger check made on every message, not only the first?"""
    state = None
    for text in history:
        state, _ = step(
            state, text, "en", WEEKDAY, directory=directory, flow=flow, translate=identity
        )
    _, reply = step(
        state, phrase, "en", WEEKDAY, directory=directory, flow=flow, translate=identity
    )
    assert reply.lines[0].service == "emergency-999"
