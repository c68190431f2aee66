"""Every content page: structure, links, no typed numbers, reading age, no copied sentences."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import textstat

from tests.helpers import check_html, parse
from web.content import ContentError, load_page

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "content" / "pages"
SOURCES = Path(__file__).parent / "sources"
# Digits that look like a UK phone number, a short national line (999, 101, 116 xxx) or a
# text short code. Dates like 2015 and section numbers like 4.7.3 are not numbers people dial.
PHONE = re.compile(
    r"(?<![\d.])(?:0\d{2,4}[\s-]?\d{3}[\s-]?\d{3,4}|0\d{9,10}|999|101|116\s?\d{3}|\d{5})(?![\d.])"
)
SHINGLE = 12
GRADE = {"young-people": 6.0}
DEFAULT_GRADE = 9.0


def english_pages() -> list[str]:
    paths = []
    for md in sorted((PAGES / "en").rglob("*.md")):
        rel = md.relative_to(PAGES / "en").with_suffix("")
        paths.append(str(rel.parent) if rel.name == "index" else str(rel))
    return paths


class _ArticleText(HTMLParser):
    """Collect the reader-facing text of the <article>, leaving contact cards out."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.depth += 1
        classes = dict(attrs).get("class") or ""
        if self.depth and ("card" in classes.split() or self.skip):
            self.skip += 1

    def handle_endtag(self, tag):
        if self.skip:
            self.skip -= 1
        elif tag == "article":
            self.depth -= 1
        if tag in ("p", "li", "h1", "h2", "h3") and self.depth:
            self.parts.append(".\n")

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def article_text(html: str) -> str:
    parser = _ArticleText()
    parser.feed(html)
    text = "".join(parser.parts)
    return re.sub(r"(\.\s*)+", ". ", re.sub(r"[ \t]+", " ", text))


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))


@pytest.fixture(scope="module")
def seed_shingles() -> set[tuple[str, ...]]:
    found = set()
    for path in SOURCES.glob("*.txt"):
        w = words(path.read_text(encoding="utf-8"))
        found |= {tuple(w[i : i + SHINGLE]) for i in range(len(w) - SHINGLE + 1)}
    return found


def test_there_are_pages_in_every_section():
    for section in ("young-people", "families", "adult-survivors", "professionals", "staying-safe"):
        assert (PAGES / "en" / section / "index.md").exists(), section
        assert len(list((PAGES / "en" / section).glob("*.md"))) >= 2, section


@pytest.mark.parametrize("md", sorted(PAGES.rglob("*.md")), ids=lambda p: str(p.relative_to(PAGES)))
def test_no_phone_number_typed_into_a_page(md):
    """Does any page's source hold a raw phone number instead of a directory id?"""
    body = md.read_text(encoding="utf-8").split("\n---\n", 1)[-1]  # the body, not front matter
    body = re.sub(r"\[\[[^\]]+\]\]", "", body)  # directives name ids such as police-101
    body = re.sub(r"\(https?://[^)]*\)", "", body)  # web addresses may hold digits
    assert not PHONE.findall(body), PHONE.findall(body)


@pytest.mark.parametrize("path", english_pages())
def test_page_structure_links_and_help(client, path):
    """One h1, a summary, the date shown, working internal links, and who can help."""
    response = client.get(f"/{path}")
    page = check_html(response)
    html = response.get_data(as_text=True)
    assert 'class="summary"' in html and 'class="updated"' in html
    for url in page.links:
        if url.startswith("/") and not url.startswith(("/static/", "/exit")):
            target = client.get(url.split("#")[0])
            assert target.status_code in (200, 302), f"{path} links to {url}: {target.status_code}"
    assert html.count('class="card"') >= 2, "each page ends with at least two services"
    assert "tel:999" in page.urls


@pytest.mark.parametrize("path", english_pages())
def test_reading_grade(client, path):
    """Can the page's reader read it? Young people's pages grade 6 or under, others 9."""
    text = article_text(client.get(f"/{path}").get_data(as_text=True))
    grade = textstat.flesch_kincaid_grade(text)
    limit = GRADE.get(path.split("/")[0], DEFAULT_GRADE)
    assert grade <= limit, f"{path}: grade {grade} > {limit}"


@pytest.mark.parametrize("path", english_pages())
def test_no_sentence_copied_from_the_sources(client, path, seed_shingles):
    """Is any run of 12 words on the page the same as in the source documents?"""
    w = words(article_text(client.get(f"/{path}").get_data(as_text=True)))
    copied = [
        " ".join(s)
        for i in range(len(w) - SHINGLE + 1)
        if (s := tuple(w[i : i + SHINGLE])) in seed_shingles
    ]
    assert not copied, copied[:3]


def test_article_text_leaves_out_cards():
    html = '<article><h1>T</h1><p>Hello there.</p><div class="card"><p>Card</p></div></article>'
    assert "Card" not in article_text(html)
    assert "Hello there" in article_text(html)
    assert parse(html).h1 == 1


# Pages whose subject is the law or a procedure. Any other page that states a point of law in
# words like these must list its sources too, so a new page cannot slip past the list.
ABOUT_LAW_OR_PROCEDURE = {
    "young-people/healthy-relationships",
    "young-people/going-to-court",
    "young-people/nudes-and-the-law",
    "young-people/criminal-exploitation",
    "young-people/after-a-sexual-assault",
    "young-people/what-childline-keeps-private",
    "families/sarahs-law",
    "adult-survivors/reporting-non-recent-abuse",
    "adult-survivors/going-to-court",
    "adult-survivors/compensation",
    "adult-survivors/care-leavers-and-learning-disability",
    "professionals/sharing-information",
    "professionals/language",
    "professionals/procedures",
    "professionals/lado-and-trafficking",
    "adult-survivors/rotherham-survivors",
    "families/criminal-exploitation",
    "families/harmful-sexual-behaviour",
    "professionals/thresholds-and-harm-outside-home",
    "families/after-an-assault",
    "young-people/lgbt-and-disabled",
}
LEGAL_WORDS = re.compile(
    r"\b(illegal|against the law|in law|by law|time limits?|Act (19|20)\d\d|Working Together|"
    r"statutory|special measures|Outcome 21|National Referral Mechanism|disclosure scheme)\b",
    re.IGNORECASE,
)


def test_the_list_of_law_pages_names_real_pages():
    assert set(english_pages()) >= ABOUT_LAW_OR_PROCEDURE


@pytest.mark.parametrize("path", english_pages())
def test_pages_about_law_or_procedure_list_their_sources(app, path):
    """Does every page that states law or procedure name its sources (title, publisher, date)?"""
    page = app.extensions["lantern"].pages.get("en", path)
    if path not in ABOUT_LAW_OR_PROCEDURE and not LEGAL_WORDS.search(page.text):
        return
    assert page.sources, f"{path}: list the sources of its points of law in its front matter"
    for source in page.sources:
        assert source.title and source.publisher and source.date


@pytest.mark.parametrize(
    ("sources", "field"),
    [
        ("sources: []", "sources"),
        ("sources: [just a title]", "sources[0]"),
        ("sources:\n  - {title: T, date: 2024}", "sources[0].publisher"),
        ("sources:\n  - {title: T, publisher: P, date: last year}", "sources[0].date"),
        ("sources:\n  - {title: T, publisher: P, date: 2024, note: x}", "sources[0].note"),
    ],
)
def test_bad_sources_stop_loading_with_the_field_named(tmp_path, sources, field):
    path = tmp_path / "en" / "families" / "x.md"
    path.parent.mkdir(parents=True)
    path.write_text(
        "---\ntitle: t\nsummary: s\nupdated: 2026-01-01\naudience: families\n"
        f"{sources}\n---\nbody\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as error:
        load_page(path, tmp_path, set())
    assert error.value.field == field


def test_sources_are_read_with_their_dates(tmp_path):
    path = tmp_path / "en" / "families" / "x.md"
    path.parent.mkdir(parents=True)
    path.write_text(
        "---\ntitle: t\nsummary: s\nupdated: 2026-01-01\naudience: families\nsources:\n"
        "  - {title: Guide, publisher: GOV.UK, date: 2024-05-01, url: 'https://www.gov.uk/x'}\n"
        "  - {title: Old page, publisher: NSPCC, date: undated}\n---\nbody\n",
        encoding="utf-8",
    )
    page = load_page(path, tmp_path, set())
    assert [(s.publisher, s.date) for s in page.sources] == [
        ("GOV.UK", "2024-05-01"),
        ("NSPCC", "undated"),
    ]
