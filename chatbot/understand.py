"""Read free text: danger, global words, language, age, who is writing, topic."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from chatbot.flow import ROMAN_URDU, Flow
from chatbot.text import Matches, Phrase

_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
_LATIN_LETTER = re.compile(r"[a-zA-Z\u00c0-\u024f]")
# Words before an age that make it someone else's ("a 14 year old", "her 15").
_OTHERS = frozenset({"a", "an", "my", "her", "his", "our", "the", "their"})
MIN_AGE, MAX_AGE = 5, 99
MAX_CHARS = 2000  # longer messages are cut before reading; SMS bodies stop at 1600


@dataclass(frozen=True)
class Reading:
    """What one message says, as far as the engine can tell."""

    tokens: tuple[str, ...]
    danger: frozenset[str]
    word: str | None  # menu, help or stop, when the whole message is one
    switch_to: str | None  # a language, when the whole message is its name
    who: str | None
    topic: str | None
    age: int | None
    own_age: bool  # the age is the writer's own, not their child's
    number: int | None  # the message is just a number


def danger_kinds(flow: Flow, text: str) -> frozenset[str]:
    """Return the kinds of danger a text mentions ("now", "suicide")."""
    tokens = flow.normaliser.tokens(text[:MAX_CHARS])
    return _danger(flow, tokens, _matches(flow, tokens))


_ANY = ""  # key under which _matches keeps every pattern word the message matched


def _matches(flow: Flow, tokens: Sequence[str]) -> Matches | None:
    if flow.matcher is None:
        return None
    found = flow.matcher.matches(tokens)
    found[_ANY] = frozenset().union(*found.values())
    return found


def _possible(phrase: Phrase, matches: Matches | None) -> bool:
    # A phrase whose first word matches no word of the message cannot occur: skip it cheaply.
    return matches is None or phrase.words[0] in matches.get(_ANY, ())


def _danger(flow: Flow, tokens: Sequence[str], matches: Matches | None) -> frozenset[str]:
    return frozenset(
        p.value for p in flow.danger if _possible(p, matches) and p.find(tokens, matches)
    )


def first_kind(
    phrases: Sequence[Phrase], tokens: Sequence[str], matches: Matches | None = None
) -> str | None:
    """Return the value of the first phrase found, in the order the file lists them."""
    return next(
        (p.value for p in phrases if _possible(p, matches) and p.find(tokens, matches)), None
    )


def find_age(
    flow: Flow, tokens: Sequence[str], matches: Matches | None = None
) -> tuple[int | None, bool]:
    """Return an age the message gives, and whether it is the writer's own ("im 14")."""
    if len(tokens) == 1 and tokens[0].isdigit() and MIN_AGE <= int(tokens[0]) <= MAX_AGE:
        return int(tokens[0]), True
    found: tuple[int | None, bool] = (None, False)
    for i, token in enumerate(tokens):
        if not token.isdigit() or len(token) > 2:
            continue
        number = int(token)
        if 1 <= number <= 13:
            if any(p.at(tokens, i - len(p.words), matches) for p in flow.school_year_self):
                return number + flow.school_offset, True
            if found[0] is None and any(
                p.at(tokens, i - len(p.words), matches) for p in flow.school_year
            ):
                found = (number + flow.school_offset, False)
        if not MIN_AGE <= number <= MAX_AGE:
            continue
        if any(p.at(tokens, i - len(p.words), matches) for p in flow.age_before):
            return number, True
        if any(
            p.at(tokens, i - len(p.words), matches) and len(p.words) == i
            for p in flow.age_before_at_start
        ):
            return number, True
        someone_else = i > 0 and tokens[i - 1] in _OTHERS
        if (
            found[0] is None
            and not someone_else
            and any(p.at(tokens, i + 1, matches) for p in flow.age_after)
        ):
            found = (number, False)
    return found


def detect_language(flow: Flow, text: str, tokens: Sequence[str]) -> str | None:
    """Return the language the text is most likely in, or None when there is no sign."""
    arabic = len(_ARABIC_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    if not arabic and not latin:
        return None
    lowered = text.lower()
    words = set(tokens)
    candidates = (
        ("ur", "ar")
        if arabic > latin
        else tuple(code for code in (*flow.languages, ROMAN_URDU) if code not in ("ur", "ar"))
    )
    best, best_score = None, 0
    for code in candidates:
        info = flow.language_info.get(code)
        if info is None:
            continue
        score = (
            2 * len(words & info.markers)
            + len(words & info.vocabulary)
            + 3 * sum(lowered.count(c) for c in info.letters)
        )
        if score > best_score:
            best, best_score = code, score
    if best is None and arabic > latin:
        # Arabic script with no distinguishing sign: the first areas' communities write Urdu.
        best = "ur"
    return "ur" if best == ROMAN_URDU else best


def read(flow: Flow, text: str) -> Reading:
    """Return what the message says."""
    tokens = tuple(flow.normaliser.tokens(text[:MAX_CHARS]))
    matches = _matches(flow, tokens)
    joined = " ".join(tokens)
    number = int(joined) if joined.isdigit() and len(joined) <= 3 else None
    age, own_age = find_age(flow, tokens, matches)
    return Reading(
        tokens=tokens,
        danger=_danger(flow, tokens, matches),
        word=flow.global_words.get(joined),
        switch_to=flow.language_names.get(joined),
        who=first_kind(flow.who, tokens, matches),
        topic=first_kind(flow.topics, tokens, matches),
        age=age,
        own_age=own_age,
        number=number,
    )
