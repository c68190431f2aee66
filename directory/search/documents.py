"""Listings and site pages turned into index documents, and the index built from them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from directory.hours import Schedule
from directory.model import CATEGORIES, Directory, Service
from directory.search import store
from directory.search.analysis import (
    TRANSLATED,
    english_analyzer,
    fuzzy_analyzer,
    language_analyzer,
    language_fields,
)

SERVICE, PAGE = "service", "page"
PAGE_KEYS = ("id", "url", "title", "summary", "body", "lang")


class SearchError(ValueError):
    """A page document or filter that cannot be indexed or applied."""


@dataclass(frozen=True)
class PageDocument:
    """A site page to search alongside the services."""

    id: str
    url: str
    title: str
    summary: str
    body: str
    lang: str


def index_documents(pages: Iterable[Mapping[str, str]]) -> tuple[PageDocument, ...]:
    """Turn page dicts {id, url, title, summary, body, lang} into searchable documents."""
    documents = []
    for page in pages:
        missing = [key for key in PAGE_KEYS if not isinstance(page.get(key), str)]
        if missing:
            raise SearchError(f"page {page.get('id', '?')!r}: missing {', '.join(missing)}")
        documents.append(PageDocument(**{key: page[key] for key in PAGE_KEYS}))
    return tuple(documents)


@dataclass(frozen=True)
class ListingText:
    """A listing's reader-facing text in one other language."""

    name: str = ""
    text: str = ""


@dataclass(frozen=True)
class Translations:
    """What the index holds beside the English: listing text and category names per language."""

    listings: Mapping[str, Mapping[str, ListingText]] = field(default_factory=dict)
    categories: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def languages(self) -> list[str]:
        """Return the translated languages this holds something for, in TRANSLATED order."""
        return [lang for lang in TRANSLATED if lang in self.listings or lang in self.categories]


NO_TRANSLATIONS = Translations()


def _service_document(service: Service, translations: Translations) -> dict[str, object]:
    categories = " ".join(f"{c.replace('-', ' ')} {CATEGORIES[c]}" for c in service.categories)
    description = " ".join(
        (service.description, service.what_happens, service.organisation, service.alert)
    )
    keywords = " ".join(service.keywords)
    languages = list(service.languages) + (["interpreters"] if service.interpreters else [])
    return {
        "id": service.id,
        "kind": SERVICE,
        "lang": "",
        "sort_name": service.name.lower(),
        "name": service.name,
        "tags": f"{categories} {keywords}",
        # Audiences are left out: they are filters, and in nearly every listing's text they
        # would make "young" or "families" match half the directory.
        "text": description,
        "fuzzy": " ".join((service.name, categories, keywords, service.description)),
        "audience": ",".join(service.audiences),
        "category": ",".join(service.categories),
        "area": ",".join(service.areas),
        "channel": ",".join(service.channels),
        "language": ",".join(languages),
        "free": service.free,
        "always_open": service.always_open,
        "hours": hours_key(service),
        **_translated_fields(service, translations),
    }


def _translated_fields(service: Service, translations: Translations) -> dict[str, str]:
    fields: dict[str, str] = {}
    for lang in translations.languages():
        listing = translations.listings.get(lang, {}).get(service.id, ListingText())
        labels = translations.categories.get(lang, {})
        name, tags, text = language_fields(lang)
        fields[name] = listing.name
        fields[tags] = " ".join(labels.get(c, "") for c in service.categories)
        fields[text] = listing.text
    return {key: value for key, value in fields.items() if value.strip()}


def live_schedules(service: Service) -> tuple[Schedule, ...]:
    """Return the opening hours of a listing's live contacts, where they are known."""
    return tuple(c.known_hours for c in service.live_contacts if c.known_hours is not None)


def hours_key(service: Service) -> str:
    """Return a short key shared by every listing with the same live opening hours."""
    schedules = live_schedules(service)
    if not schedules:
        return "unknown"
    return hashlib.sha256(repr(sorted(map(repr, schedules))).encode()).hexdigest()[:16]


def _page_document(page: PageDocument) -> dict[str, object]:
    words: dict[str, str] = {
        "name": page.title,
        "tags": "",
        "text": f"{page.summary} {page.body}",
        "fuzzy": f"{page.title} {page.summary}",
    }
    if page.lang in TRANSLATED:  # read in the page's own language, not stemmed as English
        name, _, text = language_fields(page.lang)
        words = {name: page.title, text: words["text"]}
    return {
        "id": f"page:{page.lang}:{page.id}",
        "kind": PAGE,
        "lang": page.lang,
        "url": page.url,
        "title": page.title,
        "summary": page.summary,
        "sort_name": page.title.lower(),
        **words,
        "audience": "",
        "category": "",
        "area": "",
        "channel": "",
        "language": "",
        "free": False,
        "always_open": False,
        "hours": "unknown",
    }


def _documents(
    directory: Directory, pages: Sequence[PageDocument], translations: Translations
) -> list[dict[str, object]]:
    docs = [_service_document(s, translations) for s in directory.services.values()]
    docs.extend(_page_document(p) for p in pages)
    return docs


def _schema():
    return store.schema(
        english_analyzer(),
        fuzzy_analyzer(),
        {name: language_analyzer(lang) for lang in TRANSLATED for name in language_fields(lang)},
    )


def build_index(
    directory: Directory,
    index_dir: Path,
    pages: Iterable[Mapping[str, str]] = (),
    translations: Translations = NO_TRANSLATIONS,
) -> Path:
    """Build the index from scratch (the reindex command) and return its folder."""
    documents = _documents(directory, index_documents(pages), translations)
    return store.build(index_dir, documents, _schema)


def ensure_index(
    directory: Directory,
    index_dir: Path,
    pages: Iterable[Mapping[str, str]] = (),
    translations: Translations = NO_TRANSLATIONS,
) -> tuple[Path, bool]:
    """Build the index if it is missing or stale; return its folder and whether it was built."""
    documents = _documents(directory, index_documents(pages), translations)
    return store.ensure(index_dir, documents, _schema)
