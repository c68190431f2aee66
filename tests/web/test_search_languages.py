"""Search in every language: translated listings indexed, accents folded, stems and typos."""

from __future__ import annotations

import unicodedata

import pytest

from directory.search import TRANSLATED
from web.content import content

# (language, what someone types, a service that must be in the first five results)
QUERIES = [
    ("pl", "samobójstwo", "samaritans"),  # suicide; the listings say "samobójcze" and more
    ("pl", "zaginione dziecko", "missing-people"),  # missing child
    ("pl", "przemoc domowa", "national-domestic-abuse-helpline"),
    ("pl", "gwalt", "rape-crisis-247"),  # "gwałt" typed without its accent
    ("pl", "pomoc w sprawie przemocy domowej", "national-domestic-abuse-helpline"),
    ("cs", "sebevražda", "samaritans"),
    ("cs", "sebevrazda", "samaritans"),  # no háček, and no synonym to help
    ("cs", unicodedata.normalize("NFD", "sebevražda"), "samaritans"),  # accents typed apart
    ("cs", "sexualni zneuzivani", "rape-crisis-247"),  # no accents
    ("cs", "domácí násilí", "national-domestic-abuse-helpline"),
    ("sk", "samovrazda", "samaritans"),
    ("sk", "domace nasilie", "national-domestic-abuse-helpline"),
    ("sk", "znásilnenie", "survivors-trust"),
    ("ro", "sinucidere", "samaritans"),
    ("ro", "politia", "police-101"),  # "poliția" without its comma below
    ("ro", "violență domestică", "national-domestic-abuse-helpline"),
    ("ro", "viol", "rape-crisis-247"),  # a synonym kept as data
    ("ur", "خودکشی", "samaritans"),
    ("ur", "خودكشي", "samaritans"),  # typed on an Arabic keyboard: ك and ي
    ("ur", "خدکشی", "samaritans"),  # a letter missed
    ("ur", "لاپتہ بچہ", "missing-people"),
    ("ur", "زبردستی شادی", "karma-nirvana"),
    ("ur", "jinsi ziyadti", "rape-crisis-247"),  # Roman Urdu
    ("ar", "انتحار", "samaritans"),
    ("ar", "زواج قسري", "karma-nirvana"),
    ("ar", "الاعتداء الجنسي", "rape-crisis-247"),
    ("ar", "الشرطة", "police-101"),
    ("ar", "الشُّرطة", "police-101"),  # with vowel marks
    ("ur", "خودکُشی", "samaritans"),  # with a vowel mark
    ("pl", "the police", "police-101"),  # English words in the Polish site: "the" is no word
]


@pytest.fixture
def search(app):
    with app.app_context():
        yield content().search


@pytest.mark.parametrize(("lang", "query", "expected"), QUERIES)
def test_a_query_in_the_reader_language_finds_the_service(search, lang, query, expected):
    """Does what a Polish, Czech, Slovak, Romanian, Urdu or Arabic reader types find help?"""
    results = search.search(query, lang=lang)
    assert expected in [hit.id for hit in results.hits][:5], (query, results.hits[:5])


def test_every_shipped_language_has_its_listings_indexed(search):
    """Is each translated language's listing text in the index the site opens?"""
    assert set(search.translations.languages()) == set(TRANSLATED)
    reader = search._searcher().reader()
    for lang in TRANSLATED:
        listings = search.translations.listings[lang]
        assert len(listings) >= len(search.directory.services) - 1, lang
        assert all(text.text for text in listings.values()), lang
        for field in (f"text_{lang}", f"tags_{lang}"):
            assert len(list(reader.lexicon(field))) > 20, field


@pytest.mark.parametrize("lang", TRANSLATED)
def test_english_and_local_stop_words_leave_the_query(search, lang):
    """Does "help for children" still need only its meaningful words, in every language?"""
    results = search.search("help for children", lang=lang)
    assert not results.empty and not results.broadened


def test_words_of_one_language_do_not_match_in_another(search):
    """Does a Polish word find Polish text for a Polish reader, and not for an English one?"""
    assert not search.search("zaginione", lang="pl").empty
    assert search.search("zaginione", lang="en", pages=False).empty


def test_translated_pages_are_searched_in_their_language(search):
    """Does a Polish reader find the Polish page on a missing child, by its Polish words?"""
    results = search.search("zaginione dziecko", lang="pl")
    pages = [hit.url for hit in results.hits if hit.kind == "page"]
    assert "/families/missing" in pages


def test_search_page_in_polish_finds_services(client):
    """Does the Find support page, in Polish, answer a Polish query with the right service?"""
    response = client.get("/pl/services?q=samob%C3%B3jstwo")
    assert response.status_code == 200
    assert "/pl/services/samaritans" in response.get_data(as_text=True)
