"""Every page and listing in every shipped language, marked as awaiting review until checked."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest
import yaml

from tests.content.test_pages import article_text
from web.content import load_page
from web.locale import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "content" / "pages"
SHIPPED = [code for code in LANGUAGES if code != "en"]
LISTING_FIELDS = ("description", "what_happens", "hours_note", "alert")


def english_files() -> list[Path]:
    return sorted(p.relative_to(PAGES / "en") for p in (PAGES / "en").rglob("*.md"))


@pytest.mark.parametrize("code", SHIPPED)
def test_every_page_has_its_translation(code):
    """Has every English page a counterpart in this language, and no page without one?"""
    translated = sorted(p.relative_to(PAGES / code) for p in (PAGES / code).rglob("*.md"))
    assert translated == english_files()


@pytest.mark.parametrize("code", SHIPPED)
def test_translated_pages_keep_facts_and_say_review_status(app, code):
    """Do translations keep the same services, directives and date, and record review status?"""
    from web.markdown import directives

    library = app.extensions["lantern"].pages
    for (lang, path), english in library.pages.items():
        if lang != "en":
            continue
        page = library.get(code, path)
        assert page is not None, path
        assert page.services == english.services, path
        assert sorted(directives(page.text)) == sorted(directives(english.text)), path
        assert page.updated == english.updated, path
        source = PAGES / code / (path + ".md")
        source = source if source.exists() else PAGES / code / path / "index.md"
        meta = yaml.safe_load(source.read_text(encoding="utf-8").split("\n---\n")[0][4:])
        assert isinstance(meta.get("reviewed"), bool), f"{code}/{path}: say whether reviewed"


@pytest.mark.parametrize("code", SHIPPED)
def test_every_listing_field_translated(app, code):
    """Has every reader-facing listing text a translation in this language?"""
    content = app.extensions["lantern"]
    translations = content.services_i18n.get(code, {})
    missing = []
    for service in content.directory.services.values():
        if service.path is None or service.path.parent.name != "services":
            continue  # generated from an area file; its texts are translated in areas.yaml
        entry = translations.get(service.id, {})
        for name in LISTING_FIELDS:
            if getattr(service, name) and not entry.get(name):
                missing.append(f"{service.id}.{name}")
        contacts = entry.get("contacts") or []
        for i, contact in enumerate(service.contacts):
            for name in ("label", "hours_note"):
                if getattr(contact, name) and not (i < len(contacts) and contacts[i].get(name)):
                    missing.append(f"{service.id}.contacts[{i}].{name}")
    assert not missing, f"{code}: {len(missing)} missing, e.g. {missing[:5]}"


@pytest.mark.parametrize("code", SHIPPED)
def test_area_texts_translated(app, code):
    content = app.extensions["lantern"]
    for area in content.directory.areas.values():
        if area.front_door is not None:
            assert content.areas_i18n.get(code, {}).get(area.id), f"{code}: {area.id}"


def test_missing_translation_falls_back_with_notice(app, client, monkeypatch):
    """Does a page missing in a language show the English with a notice in that language?"""
    pages = app.extensions["lantern"].pages.pages
    if ("pl", "families/signs") in pages:
        monkeypatch.delitem(pages, ("pl", "families/signs"))
    response = client.get("/pl/families/signs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<article lang="en" dir="ltr">' in html
    assert '<p class="notice" lang="pl" dir="ltr">' in html
    assert pages[("en", "families/signs")].title in html


def test_load_page_reads_reviewed_flag(tmp_path):
    path = tmp_path / "ur" / "families" / "x.md"
    path.parent.mkdir(parents=True)
    path.write_text(
        "---\ntitle: t\nsummary: s\nupdated: 2026-01-01\naudience: families\n"
        "reviewed: false\n---\nbody\n",
        encoding="utf-8",
    )
    assert load_page(path, tmp_path, set()).reviewed is False


# Sentence length is the measure of plainness that works across languages (reading-grade formulas
# are tuned to English). Urdu spells out as separate words what the others inflect ("کر رہے ہیں"),
# so its sentences may run a little longer for the same thought.
SENTENCE_END = re.compile(r"[.!?؟۔]+\s*|\n+")
LONGER_BY = {"ur": 1.4}
LONGER_BY_DEFAULT = 1.2
LONGEST_SENTENCE = 30  # words


def sentence_lengths(text: str) -> list[int]:
    return [len(s.split()) for s in SENTENCE_END.split(text) if s.split()]


@pytest.mark.parametrize("code", SHIPPED)
def test_young_peoples_pages_stay_as_plain_as_the_english(client, code):
    """Are the translated young people's pages written in sentences as short as the English?"""
    paths = sorted(
        p.with_suffix("").as_posix().removesuffix("/index")
        for p in english_files()
        if p.parts[0] == "young-people"
    )
    assert paths
    for path in paths:
        english = sentence_lengths(article_text(client.get(f"/{path}").get_data(as_text=True)))
        html = client.get(f"/{code}/{path}").get_data(as_text=True)
        translated = sentence_lengths(article_text(html))
        limit = statistics.mean(english) * LONGER_BY.get(code, LONGER_BY_DEFAULT)
        assert statistics.mean(translated) <= limit, (path, statistics.mean(translated), limit)
        assert max(translated) <= LONGEST_SENTENCE, (path, max(translated))


# Phrases a review found wrong, kept out for good: a chatbot speaking in a gendered first
# person, a child "living in a postcode", slang or calamity words for being in trouble, a word
# that often means rape used for all abuse, and a male abuser assumed.
NEVER = {
    "pl": ["Zapomniałem", "nie zrozumiałem", "kodzie pocztowym", "hejt", "to jego wina"],
    "cs": ["jsem zapomněl", "jsem nerozuměl", "nebo PSČ dítě žije", "je to jeho vina"],
    "sk": ["Zabudol som", "nerozumel som", "alebo PSČ dieťa žije", "je to jeho vina"],
    "ro": ["Am uitat această discuție", "sau cod poștal locuiește"],
    "ar": ["نسيت هذه المحادثة", "إذا لم يتصل", "احذف صورة عارية", "أو رمز بريدي يعيش"],
    "ur": ["مصیبت", "زیادتی", "بھلا دی", "سمجھ نہیں سکا", "یا پوسٹ کوڈ میں رہتا"],
}


@pytest.mark.parametrize("code", SHIPPED)
def test_known_translation_faults_stay_fixed(code):
    """Has a phrase the language review struck out come back into a page, listing or catalogue?"""
    files = [
        *sorted((PAGES / code).rglob("*.md")),
        *sorted((ROOT / "content" / "i18n" / code).glob("*.yaml")),
        ROOT / "translations" / code / "LC_MESSAGES" / "messages.po",
    ]
    found = [
        f"{path.relative_to(ROOT)}: {phrase}"
        for path in files
        for phrase in NEVER.get(code, [])
        if phrase in path.read_text(encoding="utf-8")
    ]
    assert not found, found
