"""The reader's first layer: phrases from content/flows/ found in a message, and ages.

Phrases are precise and explainable; the classifier (chatbot/reader/model.py) catches what they
miss. Both read the same normalised tokens (chatbot/reader/normalise.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from chatbot.reader.normalise import Matches, Phrase
from chatbot.reader.slots import Age, age_tense

# Words before an age that make it someone else's ("a 14 year old", "her 15").
_OTHERS = frozenset({"a", "an", "my", "her", "his", "our", "the", "their"})
MIN_AGE, MAX_AGE = 5, 99
MAX_CHARS = 2000  # longer messages are cut before reading; SMS bodies stop at 1600
_ANY = ""  # key under which rule_matches keeps every pattern word the message matched


def rule_matches(flow, tokens: Sequence[str]) -> Matches | None:
    """Return which pattern words each token matches, to skip impossible phrases cheaply."""
    if flow.matcher is None:
        return None
    found = flow.matcher.matches(tokens)
    found[_ANY] = frozenset().union(*found.values())
    return found


def _possible(phrase: Phrase, matches: Matches | None) -> bool:
    # A phrase whose first word matches no word of the message cannot occur: skip it cheaply.
    return matches is None or phrase.words[0] in matches.get(_ANY, ())


def rule_danger(flow, tokens: Sequence[str], matches: Matches | None) -> frozenset[str]:
    """Return the kinds of danger whose phrases the message contains."""
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


def find_age(flow, tokens: Sequence[str], matches: Matches | None = None) -> Age | None:
    """Return the age the message gives, preferring the writer's age now to a past one."""
    if len(tokens) == 1 and tokens[0].isdigit() and MIN_AGE <= int(tokens[0]) <= MAX_AGE:
        return Age(int(tokens[0]), own=True, past=False)
    found: list[Age] = []
    for i, token in enumerate(tokens):
        if not token.isdigit() or len(token) > 2:
            continue
        number = int(token)
        past = age_tense(tokens, i, flow.age_past, flow.age_now)
        if 1 <= number <= 13:
            if any(p.at(tokens, i - len(p.words), matches) for p in flow.school_year_self):
                found.append(Age(number + flow.school_offset, own=True, past=past))
                continue
            if any(p.at(tokens, i - len(p.words), matches) for p in flow.school_year):
                found.append(Age(number + flow.school_offset, own=False, past=past))
                continue
        if not MIN_AGE <= number <= MAX_AGE:
            continue
        if any(p.at(tokens, i - len(p.words), matches) for p in flow.age_before) or any(
            p.at(tokens, i - len(p.words), matches) and len(p.words) == i
            for p in flow.age_before_at_start
        ):
            found.append(Age(number, own=True, past=past))
            continue
        someone_else = i > 0 and tokens[i - 1] in _OTHERS
        if not someone_else and any(p.at(tokens, i + 1, matches) for p in flow.age_after):
            found.append(Age(number, own=past, past=past))
        elif past and any(tuple(tokens[max(0, i - len(w)) : i]) == w for w in flow.age_past):
            found.append(Age(number, own=True, past=True))  # "when i was 12", "jab main 10"
    if not found:
        return None
    return min(found, key=lambda a: (a.past, not a.own))
