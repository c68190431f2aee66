"""Search understands people: stemming, typos, synonyms, boosts, filters, pages, no dead ends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from directory import load_directory
from directory.search import (
    Filters,
    ListingText,
    SearchError,
    Translations,
    build_index,
    ensure_index,
    index_documents,
    load_synonyms,
    open_index,
)
from tests.directory.conftest import SYNONYMS

PAGES = [
    {
        "id": "families/signs-of-grooming",
        "url": "/families/signs-of-grooming",
        "title": "Signs a child is being groomed",
        "summary": "What to look out for if you are worried about a child.",
        "body": "Grooming is when someone builds trust with a child so they can abuse them. "
        "Signs include unexplained gifts, secrecy and new older friends.",
        "lang": "en",
    },
    {
        "id": "families/signs-of-grooming",
        "url": "/pl/families/signs-of-grooming",
        "title": "Oznaki uwodzenia dziecka",
        "summary": "Na co zwracać uwagę.",
        "body": "Grooming signs in Polish.",
        "lang": "pl",
    },
]


@pytest.fixture(scope="module")
def index(shipped, tmp_path_factory):
    ix = open_index(shipped, tmp_path_factory.mktemp("index"), PAGES, synonyms=SYNONYMS)
    yield ix
    ix.close()


def ids(results) -> list[str]:
    return [hit.id for hit in results.hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("counselling", "rothacs"),
        ("counsling", "rothacs"),  # typo
        ("missin", "missing-people"),  # typo
        ("runaway", "runaway-helpline"),
        ("samaritns", "samaritans"),  # typo in a name
        ("rape", "rape-crisis-247"),
        ("forced marriage", "karma-nirvana"),
    ],
)
def test_words_and_typos_find_the_service(index, query, expected):
    """Do plain words and misspellings find the right service near the top?"""
    assert expected in ids(index.search(query))[:4]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("groomed", "ceop"),  # groomed -> grooming, exploitation
        ("nudes", "report-remove"),  # nudes -> images
        ("social services", "rotherham-mash"),  # -> MASH, children's services
        ("social services", "report-to-council"),
        ("suicidal", "samaritans"),  # -> crisis
        ("suicidal", "papyrus"),
        ("ran away", "runaway-helpline"),
    ],
)
def test_synonyms_widen_the_search(index, query, expected):
    """Do the synonyms kept as data lead people's words to the right services?"""
    assert expected in ids(index.search(query))[:5]


def test_synonyms_come_from_data(shipped, tmp_path):
    """Does a synonym table, and only it, lead an unknown word or phrase to a service?"""
    table = {"zzword": ("samaritans",), "zz phrase": ("childline",)}
    with_table = open_index(shipped, tmp_path, PAGES, synonyms=table)
    assert ids(with_table.search("zzword"))[0] == "samaritans"
    assert ids(with_table.search("a zz phrase"))[0] == "childline"
    with_table.close()
    without = open_index(shipped, tmp_path, PAGES)
    assert without.search("zzword").empty
    without.close()


def test_synonyms_file_is_valid():
    """Does the shipped synonyms file load as word: [words]?"""
    table = load_synonyms(SYNONYMS)
    assert "crisis" in table["suicidal"]
    assert "mash" in table["social services"]


def test_name_outranks_description(index):
    """Does a word in a service's name rank it above services that only mention it?"""
    assert ids(index.search("samaritans"))[0] == "samaritans"
    assert ids(index.search("childline"))[0] == "childline"


def test_pages_are_found_in_the_reader_language(index):
    """Does 'signs of grooming' find the families page, in the reader's language only?"""
    results = index.search("signs of grooming")
    page = results.hits[0]
    assert (page.kind, page.id, page.url) == ("page", "families/signs-of-grooming", PAGES[0]["url"])
    polish = index.search("grooming signs", lang="pl")
    assert [h.url for h in polish.hits if h.kind == "page"] == ["/pl/families/signs-of-grooming"]
    services = [h for h in results.hits if h.kind == "service"]
    assert all(h.service is not None for h in services)


def test_filters(index):
    """Does each filter keep only the services that match it?"""
    now = datetime(2026, 11, 21, 23, 0, tzinfo=UTC)  # Saturday night
    cases = {
        Filters(audience="young-people"): lambda s: "young-people" in s.audiences,
        Filters(category="missing"): lambda s: "missing" in s.categories,
        Filters(area="rotherham"): lambda s: "rotherham" in s.areas or s.is_national,
        Filters(channel="text"): lambda s: "text" in s.channels,
        Filters(free=True): lambda s: s.free,
        Filters(always_open=True): lambda s: s.always_open,
        Filters(language="cy"): lambda s: "cy" in s.languages or s.interpreters,
        Filters(open_now=True): lambda s: s.open_now(now) is True,
    }
    for filters, keep in cases.items():
        results = index.search("", filters, now=now, per_page=100)
        found = {h.service.id for h in results.hits}
        expected = {s.id for s in index.directory.services.values() if keep(s)}
        assert found == expected, filters
        assert all(h.kind == "service" for h in results.hits)


def test_open_now_filter_follows_the_clock(index):
    """Does 'open now' drop the Mind text line on a Saturday and keep it on a Monday?"""
    saturday = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    monday = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    open_filter = Filters(open_now=True)
    assert "mind-infoline" not in ids(index.search("mental health", open_filter, now=saturday))
    assert "mind-infoline" in ids(index.search("mental health", open_filter, now=monday))
    with pytest.raises(SearchError):
        index.search("help", open_filter)
    # After an unfiltered search, the open-now filter still leaves the pages out.
    assert any(h.kind == "page" for h in index.search("grooming").hits)
    assert all(h.kind == "service" for h in index.search("grooming", open_filter, now=monday).hits)


def test_api_style_search_leaves_pages_out(index):
    """Can a caller ask for services only, as the Open Referral API does?"""
    assert all(h.kind == "service" for h in index.search("signs of grooming", pages=False).hits)


def test_filters_combine_with_words(index):
    """Do a query and filters narrow together?"""
    results = index.search("abuse", Filters(area="rotherham", category="counselling"))
    assert "rothacs" in ids(results)
    assert all("counselling" in h.service.categories for h in results.hits)


def test_unknown_filter_value_is_refused():
    """Is an unknown category refused rather than silently matching nothing?"""
    with pytest.raises(SearchError):
        Filters(category="astrology")


def test_nothing_found_offers_categories_and_crisis_lines(index):
    """When nothing matches, is the result empty but carrying suggestions and crisis lines?"""
    results = index.search("zqxj wvvv")
    assert results.empty and results.hits == () and results.total == 0
    assert len(results.suggested_categories) == 3
    assert [s.id for s in results.crisis_services][:2] == ["emergency-999", "childline"]


def test_suggestions_are_the_closest_categories(index):
    """Does a query with no results still point to the categories its words are near?"""
    results = index.search("counsellling xqzv", Filters(area="havering", category="missing"))
    assert results.empty
    assert results.suggested_categories[0] == "counselling"


def test_pagination(index):
    """Do pages split the results without overlap?"""
    first = index.search("", per_page=5, page=1)
    second = index.search("", per_page=5, page=2)
    assert first.total == second.total == len(index.directory.services)
    assert not set(ids(first)) & set(ids(second))
    assert first.pages == -(-first.total // 5)


def test_no_match_on_every_word_broadens(index):
    """If no listing has every word, are listings with any of them shown, flagged as broader?"""
    results = index.search("samaritans zqxjw")
    assert results.broadened
    assert "samaritans" in ids(results)


@pytest.mark.parametrize(
    ("query", "plain"),
    [
        ("'; DROP TABLE", "drop table"),
        ("<script>alert(1)</script>", "script alert 1 script"),
        ("AND OR NOT", ""),  # query syntax is read as words, and these are stop words
        ("*", ""),
        ("title:childline", "title childline"),
        ("🙂", ""),
    ],
)
def test_naughty_queries_do_not_break_search(index, query, plain):
    """Is query syntax and markup read as plain words, giving what those words give?"""
    naughty, expected = index.search(query), index.search(plain)
    assert (naughty.total, ids(naughty), naughty.broadened) == (
        expected.total,
        ids(expected),
        expected.broadened,
    )
    assert set(ids(naughty)) <= set(index.directory.services)


def test_a_very_long_word_finds_nothing(index):
    """Does a 500-letter word give an empty result, not every listing or an error?"""
    results = index.search("a" * 500)
    assert (results.total, ids(results)) == (0, [])


def test_index_is_built_once_and_rebuilt_when_stale(content_tree, tmp_path):
    """Is the index reused while content is unchanged, and rebuilt when a listing changes?"""
    root = content_tree()
    index_dir = tmp_path / "ix"
    directory = load_directory(root)
    first, built = ensure_index(directory, index_dir)
    assert built
    assert ensure_index(directory, index_dir) == (first, False)
    nspcc = root / "services" / "nspcc-helpline.yaml"
    nspcc.write_text(nspcc.read_text().replace("Advice for adults", "Help for adults"))
    second, built = ensure_index(load_directory(root), index_dir)
    assert built and second != first
    assert first.exists()  # a worker of the previous release may still be reading it
    before = second.stat().st_ino
    assert build_index(load_directory(root), index_dir) == second
    assert second.stat().st_ino != before  # rebuilt, with the old copy set aside
    retired = [p for p in index_dir.iterdir() if p.name.startswith(".retired-")]
    assert len(retired) == 1
    with open_index(load_directory(root), index_dir) as index:
        assert index.search("help").total == 1


def test_page_documents_need_every_key():
    """Is a page missing its body refused with the page named?"""
    with pytest.raises(SearchError, match=r"'x'.*body"):
        index_documents([{"id": "x", "url": "/x", "title": "X", "summary": "", "lang": "en"}])


def test_translations_are_indexed_in_their_own_language(shipped, tmp_path):
    """Are a listing's translated text and category names found, in that language only?"""
    translations = Translations(
        listings={"pl": {"samaritans": ListingText(text="Wsparcie zzkryzys przez całą dobę.")}},
        categories={"ro": {"counselling": "Consiliere zzsfat"}},
    )
    with open_index(shipped, tmp_path, PAGES, translations=translations) as index:
        assert ids(index.search("zzkryzys", lang="pl")) == ["samaritans"]
        assert ids(index.search("zzkryzysy", lang="pl")) == ["samaritans"]  # a Polish ending
        assert index.search("zzkryzys", lang="cs").empty
        counselling = {s.id for s in shipped.services.values() if "counselling" in s.categories}
        assert set(ids(index.search("zzsfat", lang="ro", per_page=100))) == counselling
        assert index.search("zzsfat", lang="en").empty


def test_changed_translations_make_the_index_stale(shipped, tmp_path):
    """Does a changed translation build a new index rather than reuse the old one?"""
    first, _ = ensure_index(shipped, tmp_path)
    changed = Translations(listings={"ur": {"childline": ListingText(text="نیا متن")}})
    second, built = ensure_index(shipped, tmp_path, translations=changed)
    assert built and second != first


def test_stemmers_are_safe_across_threads():
    """Do four threads stemming Arabic and Romanian at once each get their own words' stems?"""
    import sys
    import threading

    from directory.search import arabic_stem, romanian_stem

    words = {
        arabic_stem: ["الأطفال", "الشرطة", "مساعدة", "الاعتداء", "للمساعدة", "انتحار"] * 40,
        romanian_stem: ["violență", "copiii", "poliția", "abuzul", "consiliere"] * 40,
    }
    expected = {stem: [stem.__wrapped__(w) for w in ws] for stem, ws in words.items()}
    failures: list[str] = []

    def work(stem) -> None:
        try:
            if [stem.__wrapped__(w) for w in words[stem]] != expected[stem]:
                failures.append(stem.__name__)
        except Exception as error:  # any error here is the failure being tested
            failures.append(repr(error))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(s,)) for s in [*words] * 4]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not failures


def test_open_now_ignores_hours_no_source_gives(content_tree, tmp_path):
    """Is a line whose hours are our assumption never offered as "open now"?"""
    line = """\
id: assumed-hours
name: Assumed Hours Line
organisation: A charity
description: A line whose hours nobody has published.
audiences: [families]
categories: [helpline]
contacts:
  - channel: phone
    number: 0808 800 5000
    schedule: {open: "Mon-Sun 00:00-24:00"}
    hours_sourced: {sourced}
source:
  - fact: number
    url: https://example.org/
    date: 2020-05-13
assured_date: 2026-11-23
source_date: 2020-05-13
"""
    moment = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    for sourced, expected in (("true", 1), ("false", 0)):
        root = content_tree({"assumed.yaml": line.replace("{sourced}", sourced)})
        with open_index(load_directory(root), tmp_path / f"ix-{sourced}") as index:
            found = index.search("assumed", Filters(open_now=True), now=moment)
            assert found.total == expected, sourced


def test_only_the_store_imports_whoosh():
    """Does every module of directory/search except store reach Whoosh only through store?"""
    import ast
    from pathlib import Path

    import directory.search

    package = Path(directory.search.__file__).parent
    modules = sorted(package.glob("*.py"))
    assert package / "store.py" in modules
    for path in modules:
        if path.name == "store.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "whoosh" for n in names), (path.name, names)


def test_an_index_pickled_before_the_package_split_finds_its_stemmers():
    """Do the stem functions an older index's analyzers name as directory.search.* still load?"""
    import pickle

    from directory.search import analysis

    for name in ("english_stem", "arabic_stem", "romanian_stem", "truncate"):
        # A protocol 0 reference, as Whoosh's pickled schema holds it: module, then name.
        found = pickle.loads(f"cdirectory.search\n{name}\n.".encode())
        assert found is getattr(analysis, name), name
