"""Content loaded and validated once at start-up into one frozen object."""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from flask import Flask, current_app

from web import markdown

AUDIENCES = frozenset({"young-people", "families", "adult-survivors", "professionals", "everyone"})
REQUIRED = ("title", "summary", "updated", "audience")
log = logging.getLogger("lantern.content")


class ContentError(Exception):
    """Bad content: names the file and the field."""

    def __init__(self, path: Path, field_name: str, message: str):
        super().__init__(f"{path}: {field_name}: {message}")
        self.path, self.field, self.message = path, field_name, message


@dataclass(frozen=True)
class Source:
    """Where a page's facts about law, procedure or a service come from."""

    title: str
    publisher: str
    date: str  # as printed on the source: 2024-05-01, 2023, or "undated"
    url: str = ""


@dataclass(frozen=True)
class Page:
    path: str  # "young-people" for a section landing page, "young-people/not-your-fault" for a page
    lang: str
    title: str
    summary: str
    updated: date
    audience: str
    order: int
    services: tuple[str, ...]
    html: str  # sanitised; directives still to fill
    text: str  # the Markdown body, for search
    reviewed: bool = False
    sources: tuple[Source, ...] = ()

    @property
    def section(self) -> str:
        return self.path.split("/", 1)[0]

    @property
    def is_index(self) -> bool:
        return "/" not in self.path


@dataclass(frozen=True)
class PageLibrary:
    pages: dict[tuple[str, str], Page] = field(default_factory=dict)

    def get(self, lang: str, path: str) -> Page | None:
        return self.pages.get((lang, path))

    def children(self, lang: str, section: str) -> list[Page]:
        """Return the pages of a section in order, in `lang` where translated, else English."""
        english = [
            p
            for (code, _), p in self.pages.items()
            if code == "en" and p.section == section and not p.is_index
        ]
        found = [self.get(lang, p.path) or p for p in english]
        return sorted(found, key=lambda p: (p.order, p.title))

    def in_language(self, lang: str) -> list[Page]:
        return [p for (code, _), p in self.pages.items() if code == lang]


@dataclass(frozen=True)
class Content:
    directory: Any
    pages: PageLibrary
    flow: Any = None
    search: Any = None
    # language -> service or area id -> translated reader-facing fields
    services_i18n: dict[str, dict[str, dict]] = field(default_factory=dict)
    areas_i18n: dict[str, dict[str, dict]] = field(default_factory=dict)
    version: int = 0  # the staff area's publication the directory includes; 0 for seed only

    def text(self, lang: str, service, name: str) -> str:
        """Return a listing's field in `lang`, falling back to English."""
        translated = self.services_i18n.get(lang, {}).get(service.id, {}).get(name)
        return translated or getattr(service, name)

    def contact_text(self, lang: str, service, index: int, name: str) -> str:
        contacts = self.services_i18n.get(lang, {}).get(service.id, {}).get("contacts") or []
        translated = contacts[index].get(name) if index < len(contacts) else None
        return translated or getattr(service.contacts[index], name)


def _front_matter(path: Path) -> tuple[dict, str]:
    raw = path.read_text(encoding="utf-8")
    if not raw.startswith("---\n"):
        raise ContentError(path, "front matter", "the file must start with a --- block")
    head, sep, body = raw[4:].partition("\n---\n")
    if not sep:
        raise ContentError(path, "front matter", "the --- block is not closed")
    try:
        meta = yaml.safe_load(head) or {}
    except yaml.YAMLError as error:
        raise ContentError(path, "front matter", f"is not valid YAML: {error}") from error
    if not isinstance(meta, dict):
        raise ContentError(path, "front matter", "must be a mapping")
    return meta, body


SOURCE_DATE = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?|undated)$")


def _sources(path: Path, value: object) -> tuple[Source, ...]:
    """Check a page's `sources` list: each names a title, a publisher and a date."""
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        raise ContentError(path, "sources", "must be a non-empty list")
    found = []
    for i, item in enumerate(value):
        where = f"sources[{i}]"
        if not isinstance(item, dict):
            raise ContentError(path, where, "must be a mapping with title, publisher and date")
        unknown = set(item) - {"title", "publisher", "date", "url"}
        if unknown:
            raise ContentError(path, f"{where}.{sorted(unknown)[0]}", "is not a source field")
        for name in ("title", "publisher", "date"):
            if not item.get(name):
                raise ContentError(path, f"{where}.{name}", "is required")
        when = str(item["date"])
        if not SOURCE_DATE.match(when):
            raise ContentError(
                path, f"{where}.date", "must be like 2024-05-01, 2024-05, 2024 or undated"
            )
        url = str(item.get("url") or "")
        if url and not url.startswith("https://") and not url.startswith("http://"):
            raise ContentError(path, f"{where}.url", "must be a web address")
        found.append(Source(str(item["title"]), str(item["publisher"]), when, url))
    return tuple(found)


def load_page(path: Path, root: Path, known_services) -> Page:
    """Load and check one Markdown page."""
    meta, body = _front_matter(path)
    for name in REQUIRED:
        if not meta.get(name):
            raise ContentError(path, name, "is required")
    if meta["audience"] not in AUDIENCES:
        raise ContentError(path, "audience", f"unknown audience {meta['audience']!r}")
    if not isinstance(meta["updated"], date):
        raise ContentError(path, "updated", "must be a date like 2026-11-23")
    services = tuple(meta.get("services") or ())
    used = [sid for _, sid in markdown.directives(body)]
    for sid in (*services, *used):
        if sid not in known_services:
            raise ContentError(path, "services", f"unknown service id {sid!r}")
    lang, *parts = path.relative_to(root).with_suffix("").parts
    if parts[-1] == "index":
        parts = parts[:-1]
    return Page(
        path="/".join(parts),
        lang=lang,
        title=str(meta["title"]),
        summary=str(meta["summary"]),
        updated=meta["updated"],
        audience=meta["audience"],
        order=int(meta.get("order", 100)),
        services=services,
        html=markdown.render(body),
        text=body,
        reviewed=bool(meta.get("reviewed", lang == "en")),
        sources=_sources(path, meta.get("sources")),
    )


def load_pages(root: Path, known_services) -> PageLibrary:
    pages = {}
    for path in sorted(root.glob("*/**/*.md")):
        page = load_page(path, root, known_services)
        pages[(page.lang, page.path)] = page
    return PageLibrary(pages)


TRANSLATABLE = frozenset({"description", "what_happens", "hours_note", "alert", "contacts", "name"})


def load_listing_translations(root: Path, directory) -> tuple[dict, dict]:
    """Load content/i18n/<lang>/services.yaml and areas.yaml, checking every id and field."""
    services, areas = {}, {}
    for lang_dir in sorted(p for p in (root / "i18n").glob("*") if p.is_dir()):
        for name, known, into in (
            ("services.yaml", directory.services, services),
            ("areas.yaml", directory.areas, areas),
        ):
            path = lang_dir / name
            if not path.exists():
                continue
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for item_id, fields in data.items():
                if item_id not in known:
                    raise ContentError(path, item_id, "unknown id")
                if name == "services.yaml":
                    unknown = set(fields) - TRANSLATABLE
                    if unknown:
                        raise ContentError(
                            path, f"{item_id}.{sorted(unknown)[0]}", "not translatable"
                        )
            into[lang_dir.name] = data
    # An area's front door is also a listing: give it the area's translated texts.
    for lang, by_area in areas.items():
        for area_id, fields in by_area.items():
            area = directory.areas[area_id]
            door = fields.get("front_door", fields)  # nested or flat, as translators wrote it
            if area.front_door_service_id and area.front_door is not None:
                services.setdefault(lang, {})[area.front_door_service_id] = {
                    "description": door.get("description"),
                    "what_happens": door.get("what_happens"),
                    "hours_note": door.get("note"),
                    "contacts": _door_contacts(area.front_door, door),
                }
    return services, areas


def _door_contacts(front_door, translated: dict) -> list[dict]:
    """Line up a front door's translated lines with its contacts, in the order readers see."""
    keys = [k for k in ("any_time", "in_hours", "out_of_hours") if getattr(front_door, k)]
    lines = [translated.get(k) or {} for k in keys]
    also = translated.get("also") or []
    return lines + [also[i] if i < len(also) else {} for i in range(len(front_door.also))]


def _strings(value: object) -> list[str]:
    """Return every string inside a translated listing's fields, in order."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def search_translations(services_i18n: dict, translations_dir: Path):
    """Gather what the search index reads in each language: listing text and category names.

    Category names come from the interface catalogues, where the directory's English labels are
    the message ids; a label left untranslated is not indexed a second time.
    """
    from babel.support import Translations as Catalogue

    from directory.model import CATEGORIES
    from directory.search import TRANSLATED, ListingText, Translations

    listings = {
        lang: {
            service_id: ListingText(
                name=fields.get("name") or "",
                text=" ".join(_strings({k: v for k, v in fields.items() if k != "name"})),
            )
            for service_id, fields in by_service.items()
        }
        for lang, by_service in services_i18n.items()
        if lang in TRANSLATED
    }
    categories = {}
    for lang in TRANSLATED:
        catalogue = Catalogue.load(str(translations_dir), [lang])
        labels = {c: catalogue.gettext(label) for c, label in CATEGORIES.items()}
        categories[lang] = {c: text for c, text in labels.items() if text != CATEGORIES[c]}
    return Translations(listings=listings, categories=categories)


def page_documents(pages: PageLibrary) -> list[dict[str, str]]:
    """Describe every page, in every language, for the search index."""
    return [
        {
            "id": f"{p.lang}:{p.path}",
            "url": f"/{p.path}",
            "title": p.title,
            "summary": p.summary,
            "body": p.text,
            "lang": p.lang,
        }
        for p in pages.pages.values()
    ]


_LOADED: dict[tuple, Content] = {}


def _signature(root: Path) -> tuple:
    """Name every content file with its size and modification time."""
    return tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    )


def load_content(app: Flask) -> None:
    """Load every content file once; bad data stops start-up with the file and field named.

    Apps made in the same process from unchanged files share one frozen Content (tests make
    many apps; rendering every page's Markdown again for each would cost seconds).
    """
    root = Path(app.config["LANTERN_CONTENT_DIR"])
    catalogues = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[0])
    key = (
        str(root.resolve()),
        app.config["LANTERN_INDEX_DIR"],
        _signature(root),
        _signature(catalogues),
    )
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = _load(root, Path(app.config["LANTERN_INDEX_DIR"]), catalogues)
    app.extensions["lantern"] = _LOADED[key]


def _load(
    root: Path,
    index_dir: Path,
    catalogues: Path,
    published: dict | None = None,
    version: int = 0,
    flow: Any = None,
) -> Content:
    from directory import load_directory
    from directory.search import open_index

    directory = load_directory(root, published)
    pages = load_pages(root / "pages", directory.services)
    if flow is None and (root / "flows").is_dir() and any((root / "flows").glob("*.yaml")):
        from chatbot import load_flow

        flow = load_flow(root / "flows", directory)
    services_i18n, areas_i18n = load_listing_translations(root, directory)

    # Built once when missing or stale, then opened read-only by every worker. Each index is
    # named by a hash of what it holds, so workers still reading the last one are not disturbed.
    search = open_index(
        directory,
        index_dir,
        page_documents(pages),
        synonyms=root / "search" / "synonyms.yaml",
        translations=search_translations(services_i18n, catalogues),
    )
    return Content(
        directory=directory,
        pages=pages,
        flow=flow,
        search=search,
        services_i18n=services_i18n,
        areas_i18n=areas_i18n,
        version=version,
    )


_REFRESH_LOCK = threading.Lock()


def refresh_content(app: Flask, *, force: bool = False) -> bool:
    """Load the directory again when the staff area has published a change since.

    Asked at most every LANTERN_REFRESH_SECONDS per process, so every instance shows a
    published change within that time without a redeploy. If the database cannot be reached,
    what is loaded keeps being served.
    """
    store = app.extensions.get("lantern_staff")
    if store is None:
        return False
    clock = time.monotonic()
    if not force and clock - app.extensions.get("lantern_refreshed", -1e9) < app.config.get(
        "LANTERN_REFRESH_SECONDS", 10
    ):
        return False
    with _REFRESH_LOCK:
        app.extensions["lantern_refreshed"] = clock
        try:
            version = store.version()
            loaded = app.extensions["lantern"]
            if version == loaded.version:
                return False
            published = {k: yaml.safe_load(v) for k, v in store.published().items()}
        except Exception:  # fail safe: keep serving the directory already loaded
            log.exception("could not read published listings; serving the loaded directory")
            return False
        root = Path(app.config["LANTERN_CONTENT_DIR"])
        catalogues = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[0])
        app.extensions["lantern"] = _load(
            root,
            Path(app.config["LANTERN_INDEX_DIR"]),
            catalogues,
            published,
            version,
            flow=loaded.flow,
        )
        log.info("directory reloaded at publication %s", version)
        return True


def content() -> Content:
    """Return the content loaded at start-up."""
    return current_app.extensions["lantern"]
