"""How text becomes indexed words: tokenising, folding, stemming and stop words, per language."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from functools import lru_cache
from types import MappingProxyType

from directory.search.store import (
    Analyzer,
    accent_map,
    porter_stem,
    stemmer_for_language,
    stemming_analyzer,
    word_analyzer,
)

# Field boosts: a word in a name or category says more than one in a description.
# "tags" holds the categories and keywords; "text" the description and everything else.
BOOSTS: Mapping[str, float] = MappingProxyType({"name": 4.0, "tags": 3.0, "text": 1.0})
# Words people type that carry no meaning for search, on top of Whoosh's own stop list.
QUERY_STOP_WORDS = frozenset({
    "i", "im", "i'm", "me", "my", "was", "were", "am", "he", "she", "his", "her", "him",
    "they", "them", "their", "what", "how", "who", "do", "does", "did", "get", "got", "been",
    "about", "there", "want", "need", "someone", "somebody", "please", "has", "had",
})  # fmt: skip

# Languages read in their own fields (English text lives in name, tags and text), each with the
# words too common to search for. Whoosh has stemmers for Arabic and Romanian. Polish, Czech and
# Slovak change a word's ending for every case ("dziecko", "dziecka", "dzieci"), so their words are
# cut to their first letters, which matches the forms of a word far better than typo tolerance
# alone (which still applies to every language). Urdu has typo tolerance and synonyms.
TRANSLATED = ("ur", "ar", "pl", "sk", "cs", "ro")
TRUNCATED = frozenset({"pl", "cs", "sk"})
TRUNCATE_AT = 5


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


LANGUAGE_STOP_WORDS: Mapping[str, frozenset[str]] = MappingProxyType({
    "ur": _wordset(
        "اور کا کی کے میں سے کو ہے ہیں تھا تھی تھے یہ وہ نے پر بھی کہ ہو جو مجھے میرا میری میرے "
        "ہم آپ تم کیا کیسے"
    ),
    "ar": _wordset(
        "في من الى إلى على عن و او أو ان أن إن هذا هذه ذلك التي الذي مع كان لا ما هو هي انا أنا "
        "لي كيف ماذا"
    ),
    "pl": _wordset(
        "a aby ale bo by co czy dla do i ich jak jest jestem jego jej już lub ma mam mi mnie "
        "mój moja moje na nie o od po przez się są sprawie ta tak te ten to tym w we z za ze że"
    ),
    "cs": _wordset(
        "a aby ale by co do i jak je jeho její jsem jsou k ke mi mě mně můj moje na ne nebo o "
        "od po pro s se si ta tak ten to v ve z za ze že"
    ),
    "sk": _wordset(
        "a aby ale alebo by čo do i ja je jeho jej k ku ma mi mňa môj moja na nie o od po pre s "
        "sa si so som sú ta tak ten to v vo z za zo že"
    ),
    "ro": _wordset(
        "a al ale am ar are că ce cu de din e este eu în la mai mă mi nu o pe pentru sau se să "
        "și sunt un una unei unui"
    ),
})  # fmt: skip
# Marks that sit on a letter (combining accents, Arabic and Urdu vowel marks and shadda) and the
# invisible joiners: part of a word, never a break in it, and dropped when folding.
MARKS = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u200c\u200d\u0640"
WORD = f"[\\w{MARKS}]+"
# Letters folded for matching: accents (so "zgloszenie" finds "zgłoszenie"), the Arabic and Urdu
# forms of the same letter that either keyboard may type, and the marks above.
FOLD: dict[int, str] = {  # a dict: the index pickles its analyzers
    **accent_map,
    **{ord(c): "ا" for c in "أإآٱ"},
    **{ord(c): "ي" for c in "یى"},
    ord("ک"): "ك",
    **{ord(c): "ه" for c in "ہھۂۀ"},
    ord("ۓ"): "ے",
    ord("ں"): "ن",  # "میں" is often typed "مین"
    **{code: "" for code in (
        *range(0x0300, 0x0370), *range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670,
        *range(0x06D6, 0x06EE), 0x200C, 0x200D, 0x0640,
    )},
}  # fmt: skip


def _fold(text: str) -> str:
    return text.translate(FOLD)


def english_analyzer() -> Analyzer:
    """Return the analyzer of the English fields: stop words out, stemmed, accents folded."""
    return stemming_analyzer(english_stem, FOLD)


def language_analyzer(lang: str) -> Analyzer:
    """Return the analyzer of one translated language's fields."""
    # Folding comes first, at indexing and in queries alike, so that a word typed without its
    # accents is stemmed the same way as the word in the text.
    stop = frozenset(_fold(word) for word in LANGUAGE_STOP_WORDS.get(lang, ()))
    if lang == "ar":
        return word_analyzer(WORD, FOLD, stop, arabic_stem)
    if lang == "ro":
        return word_analyzer(WORD, FOLD, stop, romanian_stem)
    if lang in TRUNCATED:
        return word_analyzer(WORD, FOLD, stop, truncate)
    return word_analyzer(WORD, FOLD, stop)


def fuzzy_analyzer() -> Analyzer:
    """Return the analyzer of the typo field: plain words, lowercased and folded, unstemmed."""
    return word_analyzer(r"\w+", FOLD)


def truncate(word: str) -> str:
    """Return a word's first letters, the stem used for Polish, Czech and Slovak."""
    return word[:TRUNCATE_AT]


# Whoosh's Arabic and Romanian stemmers keep working state on the stemmer object, so each
# thread (gunicorn's gthread workers run four) has its own.
_stemmers = threading.local()


def _stemmer(lang: str) -> Callable[[str], str]:
    found = getattr(_stemmers, lang, None)
    if found is None:
        found = stemmer_for_language(lang)
        setattr(_stemmers, lang, found)
    return found


@lru_cache(maxsize=50_000)
def english_stem(word: str) -> str:
    """Return the Porter stem of an English word."""
    return porter_stem(word)


@lru_cache(maxsize=50_000)
def arabic_stem(word: str) -> str:
    """Return the root Whoosh's ISRI stemmer finds for an Arabic word."""
    return _stemmer("ar")(word)


@lru_cache(maxsize=50_000)
def romanian_stem(word: str) -> str:
    """Return the Snowball stem of a Romanian word."""
    return _stemmer("ro")(word)


def language_fields(lang: str) -> dict[str, float]:
    """Return one translated language's fields and their boosts, as BOOSTS for English."""
    return {f"{name}_{lang}": boost for name, boost in BOOSTS.items()}


_stem = english_analyzer()
_plain = word_analyzer(f"[\\w'{MARKS}]+", FOLD)
# The analyzer of each translated language, for reading a query typed in it.
LOCAL: Mapping[str, Analyzer] = MappingProxyType(
    {lang: language_analyzer(lang) for lang in TRANSLATED}
)


def plain_words(text: str) -> list[str]:
    """Return a text's words, lowercased and folded but neither stemmed nor dropped."""
    return [t.text for t in _plain(text)]


def english_stems(text: str) -> list[str]:
    """Return the English stems of a text's words, stop words left out."""
    return [t.text for t in _stem(text)]


def analyse(analyzer: Analyzer, text: str) -> list[str]:
    """Return the words an analyzer makes of a text."""
    return [t.text for t in analyzer(text)]
