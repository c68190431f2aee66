"""Pick out what a message says about the writer: an age with its tense, and a place.

An age said in the past ("when I was 12", "back at 9", "jab main 10 saal ki thi") is when
something happened, not how old the writer is now; words such as "now" make an age current
again ("I'm 35 now"). Places come from the area files: every town, village and postcode district,
with the spellings people use in other scripts and common misspellings, matched after the same
folding as messages, allowing for a typo in long names and for case endings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from chatbot.reader.normalise import fold, raw_words, within

# Endings other languages add to place names ("v Rotherhamu", "w Rotherhamie", "din Rotherhamul").
_PLACE_ENDINGS = ("ului", "ul", "ie", "em", "om", "u", "e", "a", "y")
# Joined prefixes in Arabic and Urdu script: in, to, the.
_SCRIPT_PREFIXES = ("بال", "في", "ال", "ب", "ل")
_DISTRICT = re.compile(r"\b([a-z]{1,2}\d{1,2})(?:\s*\d[a-z]{2})?\b")
PAST_WINDOW = 4  # words before an age that can put it in the past
NOW_WINDOW = 3  # words after an age that can make it current


@dataclass(frozen=True)
class Age:
    """An age a message gives: whose it is, and whether it is now or in the past."""

    years: int
    own: bool
    past: bool


def age_tense(
    tokens: Sequence[str],
    index: int,
    past: Iterable[tuple[str, ...]],
    now: Iterable[tuple[str, ...]],
) -> bool:
    """Return whether the age at tokens[index] is in the past ("when i was 12", "at 9")."""
    after = tokens[index + 1 : index + 1 + NOW_WINDOW]
    if any(_contains(after, words) for words in now):
        return False
    before = tokens[max(0, index - PAST_WINDOW) : index]
    return any(_contains(before, words) for words in past)


def _contains(window: Sequence[str], words: tuple[str, ...]) -> bool:
    size = len(words)
    return any(tuple(window[i : i + size]) == words for i in range(len(window) - size + 1))


class Places:
    """Find the area a message names, from the area files' places and spellings."""

    def __init__(self, areas: Mapping[str, object]):
        self._exact: dict[tuple[str, ...], str] = {}
        self._fuzzy: list[tuple[str, str]] = []  # single long words that forgive a typo
        self._districts: dict[str, str] = {}
        for area_id, area in areas.items():
            names = (area.name, *area.places, *getattr(area, "spellings", ()))  # type: ignore[attr-defined]
            for name in names:
                words = tuple(raw_words(name))
                if not words:
                    continue
                self._exact.setdefault(words, area_id)
                joined = "".join(words)
                if len(words) > 1:
                    self._exact.setdefault((joined,), area_id)
                if len(joined) >= 7:
                    self._fuzzy.append((joined, area_id))
            for district in area.postcode_districts:  # type: ignore[attr-defined]
                self._districts[district.lower()] = area_id
        self._longest = max((len(k) for k in self._exact), default=1)

    def find(self, text: str) -> str | None:
        """Return the id of the area a place or postcode in the text belongs to, if any."""
        words = raw_words(text)
        for match in _DISTRICT.finditer(fold(text)):
            area = self._districts.get(match.group(1))
            if area:
                return area
        for size in range(min(self._longest, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                area = self._exact.get(tuple(words[i : i + size]))
                if area:
                    return area
        for word in words:
            for form in _forms(word):
                area = self._exact.get((form,)) or self._near(form)
                if area:
                    return area
        return None

    def _near(self, word: str) -> str | None:
        if len(word) < 7:
            return None
        limit = 1 if len(word) < 9 else 2
        return next((area for name, area in self._fuzzy if within(word, name, limit)), None)


def _forms(word: str) -> list[str]:
    """Return a word and the forms left when a case ending or a joined prefix is taken off."""
    found = [word]
    found += [
        word[: -len(e)] for e in _PLACE_ENDINGS if word.endswith(e) and len(word) - len(e) >= 5
    ]
    found += [
        word[len(p) :] for p in _SCRIPT_PREFIXES if word.startswith(p) and len(word) - len(p) >= 4
    ]
    return found
