"""Text normalisation and forgiving phrase matching, shared by safety checks and understanding.

People text in a hurry: no accents, no apostrophes, "im", "u", repeated letters, typos. Both the
phrases in content/flows/ and each message go through the same `tokens()` so they meet halfway.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Letters NFKD leaves alone, and Arabic-script variants folded so Urdu and Arabic spellings meet.
_FOLD = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "ß": "ss",
        "đ": "d",
        "ı": "i",
        "æ": "ae",
        "œ": "oe",
        "ي": "ی",
        "ى": "ی",
        "ئ": "ی",
        "ے": "ی",
        "ۓ": "ی",
        "ك": "ک",
        "ة": "ه",
        "ہ": "ه",
        "ۃ": "ه",
        "ھ": "ه",
        "ۀ": "ه",
        "ٱ": "ا",
        "ـ": None,  # tatweel only stretches a word
    }
)
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_WORD = re.compile(r"[^\W_]+")
_SPLIT_DIGITS = re.compile(r"\d+|[^\d]+")
_REPEATS = re.compile(r"([^\W\d_])\1+")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
# Prefixes Arabic writes joined to the next word: and, with, for, the.
_ARABIC_PREFIXES = ("وال", "بال", "لل", "ال", "و", "ب", "ل", "ف")


def fold(text: str) -> str:
    """Lower-case text, strip accents and Arabic vowel marks, and make every digit ASCII."""
    out = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.category(char) == "Mn":
            continue
        digit = unicodedata.decimal(char, None)
        out.append(str(digit) if digit is not None else char)
    return "".join(out).casefold().translate(_FOLD)


def squeeze(word: str) -> str:
    """Collapse repeated letters, so "helppp" and "pleeease" meet "help" and "please"."""
    return _REPEATS.sub(r"\1", word)


def raw_words(text: str) -> list[str]:
    """Split folded text into words, dropping apostrophes so "i'm" becomes "im"."""
    return _WORD.findall(_APOSTROPHES.sub("", fold(text)))


@dataclass(frozen=True)
class Normaliser:
    """Turn text into comparable tokens, expanding text-speak ("u" → "you")."""

    expansions: Mapping[str, tuple[str, ...]]

    @classmethod
    def build(cls, textspeak: Mapping[str, str]) -> Normaliser:
        """Build from a mapping of short forms to what they stand for."""
        plain = cls({})
        expansions = {}
        for short, meaning in textspeak.items():
            words = raw_words(str(short))
            if len(words) == 1:
                expansions[squeeze(words[0])] = tuple(plain.tokens(str(meaning)))
        return cls(expansions)

    def tokens(self, text: str) -> list[str]:
        """Return the normalised tokens of `text`."""
        out: list[str] = []
        for word in raw_words(text):
            word = squeeze(word)
            if word in self.expansions:
                out.extend(self.expansions[word])
                continue
            # "14yo", "im14": numbers and words apart, after text-speak like "b4" had its chance.
            for part in _SPLIT_DIGITS.findall(word):
                part = squeeze(part)
                out.extend(self.expansions.get(part, (part,)))
        return out


def within(a: str, b: str, limit: int) -> bool:
    """Return whether two words are at most `limit` edits apart (swaps count as one)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > limit:
        return False
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[-1] <= limit


def _allowed_edits(word: str) -> int:
    # Short words are only matched exactly: one typo turns "karna" (to do) into "marna" (to die).
    # The classifier's character n-grams forgive typos in short words instead.
    if word.isdigit() or len(word) < 6:
        return 0
    return 1 if len(word) < 9 else 2


def _variants(token: str) -> tuple[str, ...]:
    if not _ARABIC.search(token):
        return (token,)
    found = [token]
    for prefix in _ARABIC_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 3:
            found.append(token[len(prefix) :])
    return tuple(found)


def word_matches(pattern: str, token: str) -> bool:
    """Return whether a message token matches one pattern word ("kill*" matches "killing")."""
    for variant in _variants(token):
        if pattern.endswith("*"):
            if variant.startswith(pattern[:-1]):
                return True
        elif variant == pattern or within(pattern, variant, _allowed_edits(pattern)):
            return True
    return False


Matches = Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class Phrase:
    """A phrase in normalised tokens, and the entry it stands for."""

    words: tuple[str, ...]
    value: str = ""

    def find(self, tokens: Sequence[str], matches: Matches | None = None) -> bool:
        """Return whether the phrase occurs, allowing one stray word between its words."""
        if not self.words:
            return False
        test = _tester(matches)
        first = self.words[0]
        return any(
            test(first, token) and self._rest(tokens, start + 1, 1, test)
            for start, token in enumerate(tokens)
        )

    def _rest(self, tokens: Sequence[str], at: int, index: int, test) -> bool:
        if index == len(self.words):
            return True
        return any(
            at + skip < len(tokens)
            and test(self.words[index], tokens[at + skip])
            and self._rest(tokens, at + skip + 1, index + 1, test)
            for skip in (0, 1)
        )

    def at(self, tokens: Sequence[str], start: int, matches: Matches | None = None) -> bool:
        """Return whether the phrase's words occur one after another from `start`."""
        test = _tester(matches)
        end = start + len(self.words)
        return (
            start >= 0
            and end <= len(tokens)
            and all(test(w, tokens[start + i]) for i, w in enumerate(self.words))
        )


def _tester(matches: Matches | None):
    if matches is None:
        return word_matches
    return lambda pattern, token: pattern in matches.get(token, ())


def _deletions(word: str, depth: int) -> set[str]:
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


class Matcher:
    """Find, for each word of a message, every pattern word it matches, quickly.

    Typo tolerance uses a deletion index (words within k edits share a string reached by at
    most k deletions from each), so a long message costs milliseconds, not seconds.
    """

    def __init__(self, patterns: Iterable[str]):
        self.exact: set[str] = set()
        self.prefixes: dict[str, list[str]] = {}
        self.index: dict[str, set[str]] = {}
        for pattern in set(patterns):
            if pattern.endswith("*"):
                stem = pattern[:-1]
                if stem:
                    self.prefixes.setdefault(stem[0], []).append(pattern)
                continue
            self.exact.add(pattern)
            edits = _allowed_edits(pattern)
            if edits:
                for variant in _deletions(pattern, edits):
                    self.index.setdefault(variant, set()).add(pattern)

    def _one(self, token: str) -> set[str]:
        found = {token} & self.exact
        for pattern in self.prefixes.get(token[:1], ()):
            if token.startswith(pattern[:-1]):
                found.add(pattern)
        if len(token) >= 4:
            candidates: set[str] = set()
            for variant in _deletions(token, 2 if len(token) >= 7 else 1):
                candidates |= self.index.get(variant, set())
            found |= {p for p in candidates if within(p, token, _allowed_edits(p))}
        return found

    def matches(self, tokens: Iterable[str]) -> dict[str, frozenset[str]]:
        """Return each distinct token's matching pattern words."""
        out: dict[str, frozenset[str]] = {}
        for token in set(tokens):
            found: set[str] = set()
            for variant in _variants(token):
                found |= self._one(variant)
            out[token] = frozenset(found)
        return out


def compile_phrases(
    normaliser: Normaliser, phrases: Iterable[str], value: str = ""
) -> tuple[Phrase, ...]:
    """Normalise each phrase once; a trailing * on a word keeps it a prefix."""
    out = []
    for text in phrases:
        words = []
        for raw in str(text).split():
            star = raw.endswith("*")
            parts = normaliser.tokens(raw.rstrip("*"))
            if star and parts:
                parts[-1] += "*"
            words.extend(parts)
        if words:
            out.append(Phrase(tuple(words), value))
    return tuple(out)
