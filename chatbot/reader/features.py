"""Turn a message into hashed features: character n-grams of each word, and words and pairs.

Character n-grams carry what a phrase list cannot: a Polish case ending, a Romanian article, a
typo or a missing accent still shares most of its n-grams with the form the corpus has. Words
and word pairs add context ("not in danger", "when i was"). Features are hashed into a fixed
number of buckets, so the model ships as one matrix and needs no vocabulary.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from itertools import pairwise

from chatbot.reader.normalise import fold, raw_words, squeeze

BUCKETS = 1 << 17
CHAR_SIZES = (2, 3, 4, 5)
_WORD = re.compile(r"[^\W_]+")
_REPEATS = re.compile(r"(.)\1{2,}")


def _hash(feature: str) -> int:
    return zlib.crc32(feature.encode()) & (BUCKETS - 1)


def char_grams(text: str) -> list[str]:
    """Return the character n-grams of each word of the folded text, words padded by spaces."""
    folded = _REPEATS.sub(r"\1\1", fold(text).replace("'", "").replace("’", ""))
    grams = []
    for word in _WORD.findall(folded):
        padded = f" {word} "
        for size in CHAR_SIZES:
            grams.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
    return grams


def word_grams(tokens: Sequence[str]) -> list[str]:
    """Return the normalised words and each pair of neighbouring words."""
    out = [f"w {t}" for t in tokens]
    out.extend(f"b {a} {b}" for a, b in pairwise(tokens))
    return out


def indices(grams: Iterable[str]) -> list[int]:
    """Return the distinct buckets of the features, in a stable order."""
    return sorted({_hash(g) for g in grams})


def featurise(text: str, kinds: str = "char+word") -> list[int]:
    """Return the buckets a message lights up; `kinds` picks char, word or both (for comparison)."""
    grams: list[str] = []
    if "char" in kinds:
        grams.extend(f"c{g}" for g in char_grams(text))
    if "word" in kinds:
        grams.extend(word_grams([squeeze(w) for w in raw_words(text)]))
    return indices(grams)
