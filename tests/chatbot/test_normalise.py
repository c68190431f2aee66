"""Normalisation and forgiving matching, on which every safety check rests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatbot.reader.normalise import (
    Matcher,
    Normaliser,
    Phrase,
    compile_phrases,
    fold,
    within,
    word_matches,
)

NORMALISER = Normaliser.build({"im": "i am", "u": "you", "hes": "he is", "b4": "before"})


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("I'm SCARED", ["i", "am", "scared"]),
        ("Im scared", ["i", "am", "scared"]),
        ("he’s here", ["he", "is", "here"]),
        ("helppppp meeee", ["help", "me"]),
        ("Córka, ŻÓŁW!", ["corka", "zolw"]),
        ("ROMÂNĂ șarpe", ["romana", "sarpe"]),
        ("im14", ["i", "am", "14"]),
        ("14yo", ["14", "yo"]),
        ("b4 u go", ["before", "you", "go"]),
        ("١٤ سنة", ["14", "سنه"]),
        ("۱۵ سال", ["15", "سال"]),
        ("ابنتي", ["ابنتی"]),
        ("999 55", ["999", "55"]),
        ("", []),
        ("!!! ??? ...", []),
    ],
)
def test_tokens(text, tokens):
    """Do messages become the tokens phrases are written in?"""
    assert NORMALISER.tokens(text) == tokens


def test_fold_strips_arabic_vowel_marks():
    """Do vowelled and unvowelled Arabic spellings meet?"""
    assert fold("سِكِّين") == fold("سكين")


@pytest.mark.parametrize(
    ("a", "b", "limit", "expected"),
    [
        ("knife", "knief", 1, True),
        ("knife", "knif", 1, True),
        ("knife", "kinfe", 1, True),
        ("knife", "wife", 1, False),
        ("bleeding", "bleding", 1, True),
        ("abc", "xyz", 2, False),
    ],
)
def test_within(a, b, limit, expected):
    """Are typos (one edit, or a swap) forgiven and different words not?"""
    assert within(a, b, limit) is expected


def test_short_words_must_match_exactly():
    """Is a word under six letters ("gun", "marna") never matched by a near one ("fun", "karna")?"""
    assert not word_matches("gun", "fun")
    assert not word_matches("marna", "karna")
    assert word_matches("knives", "knivez")


def test_prefix_words():
    """Does a * pattern match words it starts?"""
    assert word_matches("kil*", "kiling")
    assert not word_matches("kil*", "skil")


def test_arabic_joined_prefixes():
    """Does "بسكين" (with a knife) match "سكين"?"""
    assert word_matches(fold("سكين"), fold("بسكين"))


def test_phrase_allows_one_stray_word():
    """Does "kill me" match "kill u me" but not words far apart?"""
    phrase = compile_phrases(NORMALISER, ["going to kill"])[0]
    assert phrase.find(NORMALISER.tokens("he is going to really kill"))
    assert not phrase.find(NORMALISER.tokens("going to the shop, and kill time"))


def test_empty_phrase_never_matches():
    """Is an empty phrase ignored rather than matching everything?"""
    assert not Phrase(()).find(["a"])


_WORD = st.text(alphabet="abcdeiklmnorstuw", min_size=1, max_size=11)


@given(pattern=_WORD, token=_WORD, star=st.booleans())
def test_matcher_agrees_with_word_matches(pattern, token, star):
    """Does the fast deletion index give exactly the answers of the plain comparison?"""
    pattern = pattern + "*" if star else pattern
    found = pattern in Matcher([pattern]).matches([token])[token]
    assert found is word_matches(pattern, token)
