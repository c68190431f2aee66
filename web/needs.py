"""Search reads a sentence for needs, with the triage reader (issue 12). Plain Python, no Flask.

The reader (chatbot.read) says whether a sentence shows danger, who is writing, its topic and
the place it names; content/search/needs.yaml says which listings each of those puts first.
Results are then arranged around the keyword search: the lines for the need first (crisis
lines first of all), then other services, then pages; the reader's own front door above the
national fallback; listings of areas the reader is not in left out unless asked for.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from chatbot import read
from chatbot.reader.normalise import Phrase, compile_phrases
from directory import Directory, DirectoryError, Service
from directory.search import Filters, Hit, SearchResults

FRONT_DOOR = "front-door"
NATIONAL_FRONT_DOOR = "report-to-council"
PHRASE_NEEDS = ("talk", "local")
NEEDS = (
    "danger",
    "suicide",
    "crisis",
    "images",
    "missing",
    "info",
    "thoughts",
    "criminal",
    "forced_marriage",
    "young",
    "worried",
    "professional",
    "survivor",
    "accused",
    *PHRASE_NEEDS,
)
FETCH = 100  # keyword hits arranged around the need; later pages come straight from the index


@dataclass(frozen=True)
class NeedRules:
    """content/search/needs.yaml, validated: the listings each need puts first, and phrases."""

    leads: Mapping[str, tuple[str, ...]]
    phrases: Mapping[str, tuple[Phrase, ...]]


def load_need_rules(path: Path, directory: Directory, normaliser: Any) -> NeedRules:
    """Load and check needs.yaml; bad data names the file and the field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise DirectoryError(path, "file", str(error)) from error
    leads_in = data.get("leads") or {}
    if not isinstance(leads_in, dict):
        raise DirectoryError(path, "leads", "must be a mapping of need to listings")
    leads: dict[str, tuple[str, ...]] = {}
    for need, ids in leads_in.items():
        if need not in NEEDS:
            raise DirectoryError(path, f"leads.{need}", f"unknown need; known: {', '.join(NEEDS)}")
        if not isinstance(ids, list):
            raise DirectoryError(path, f"leads.{need}", "must be a list of listing ids")
        for sid in ids:
            if sid != FRONT_DOOR and sid not in directory.services:
                raise DirectoryError(path, f"leads.{need}", f"{sid!r} is not in the directory")
        leads[need] = tuple(ids)
    phrases_in = data.get("phrases") or {}
    phrases = {}
    for need in PHRASE_NEEDS:
        texts = phrases_in.get(need) or []
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise DirectoryError(path, f"phrases.{need}", "must be a list of phrases")
        phrases[need] = compile_phrases(normaliser, texts, need)
    return NeedRules(leads, phrases)


@dataclass(frozen=True)
class Need:
    """What a search sentence needs first, as far as the reader can tell."""

    danger: frozenset[str] = frozenset()
    who: str | None = None
    topic: str | None = None
    area: str | None = None  # an area the sentence names
    talk: bool = False
    local: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        """Return the needs in the order their listings lead: 999 for danger (and the lines for
        its kind), the front door asked for by name, the topic, who is writing, "someone to
        talk to", and last, for danger, the other crisis lines."""
        out = []
        if self.danger:
            out.append("danger")
            out += [kind for kind in ("suicide", "missing") if kind in self.danger]
        if self.local:
            out.append("local")
        out += [n for n in (self.topic, self.who) if n and n not in out]
        if self.talk:
            out.append("talk")
        if self.danger:
            out.append("crisis")
        return tuple(out)

    @property
    def found(self) -> bool:
        return bool(self.names)


def read_need(flow: Any, rules: NeedRules, text: str, places: Any = None) -> Need:
    """Read a search sentence for what it needs first."""
    if not text.strip() or flow is None:
        return Need()
    reading = read(flow, text, places)
    tokens = reading.tokens
    return Need(
        danger=reading.danger,
        who=reading.who if reading.who in NEEDS else None,
        topic=reading.topic if reading.topic in NEEDS else None,
        area=reading.area,
        talk=any(p.find(tokens) for p in rules.phrases.get("talk", ())),
        local=any(p.find(tokens) for p in rules.phrases.get("local", ())),
    )


def front_door(directory: Directory, area_id: str | None) -> Service | None:
    """Return the area's front-door listing, or the national route where there is none."""
    area = directory.areas.get(area_id or "")
    sid = area.front_door_service_id if area is not None else None
    return directory.services.get(sid or "") or directory.services.get(NATIONAL_FRONT_DOOR)


def leading_services(
    need: Need, rules: NeedRules, directory: Directory, area_id: str | None, now: datetime
) -> list[Service]:
    """Return the listings a need puts first, best first, each once."""
    out: dict[str, Service] = {}
    for name in need.names:
        for sid in rules.leads.get(name, ()):
            service = front_door(directory, area_id) if sid == FRONT_DOOR else None
            service = service or directory.services.get(sid)
            if service is None or service.id in out:
                continue
            # "Someone to talk to": only lines known to be open now.
            if name == "talk" and service.open_now(now) is not True:
                continue
            out[service.id] = service
    return list(out.values())


def offered(service: Service, area_id: str | None) -> bool:
    """Return whether a listing serves the reader: national, or in the reader's area."""
    return service.is_national or (area_id is not None and area_id in service.areas)


def arrange(
    hits: Sequence[Hit],
    leads: Sequence[Service],
    area_id: str | None,
    need: Need,
    front_doors: frozenset[str] = frozenset(),
    now: datetime | None = None,
) -> list[Hit]:
    """Put the need's listings first, then services, then pages; drop other areas' listings."""
    lead_ids = {s.id for s in leads}
    first = [Hit("service", s.id, math.inf, service=s) for s in leads]
    services, pages = [], []
    for hit in hits:
        if hit.service is None:
            pages.append(hit)
        elif hit.id not in lead_ids and offered(hit.service, area_id):
            services.append(hit)
    local_door = any(h.id in front_doors for h in first + services)
    if local_door:  # the reader's own front door is known: the national route comes after it
        services.sort(key=lambda h: h.id == NATIONAL_FRONT_DOOR)
    if need.talk and now is not None:  # someone to talk to now: lines closed now come last
        services.sort(key=lambda h: h.service is not None and h.service.open_now(now) is False)
    if not need.found:  # no need read: the index's order of services and pages stands
        kept = {id(h) for h in services + pages}
        return [h for h in hits if id(h) in kept]
    return first + services + pages


def init_needs(app: Any) -> None:
    """Load content/search/needs.yaml at start-up, if the content has it and a reader."""
    loaded = app.extensions["lantern"]
    path = Path(app.config["LANTERN_CONTENT_DIR"]) / "search" / "needs.yaml"
    rules = None
    if path.exists() and loaded.flow is not None:
        rules = load_need_rules(path, loaded.directory, loaded.flow.normaliser)
    app.extensions["lantern_needs"] = rules


def search(
    index: Any,
    flow: Any,
    rules: NeedRules,
    text: str,
    filters: Filters,
    *,
    now: datetime,
    page: int,
    per_page: int,
    lang: str,
    home_area: str | None,
    places: Any = None,
) -> tuple[SearchResults, Need]:
    """Search for a sentence: the keyword index, arranged around what the sentence needs."""
    need = read_need(flow, rules, text, places)
    asked = filters.area or need.area
    area_id = asked or home_area
    narrowed = Filters(**{**filters.__dict__, "area": None}) != Filters()
    leads = [] if narrowed else leading_services(need, rules, index.directory, area_id, now)
    base = index.search(text, filters, now=now, page=1, per_page=FETCH, lang=lang)
    doors = frozenset(a.front_door_service_id or "" for a in index.directory.areas.values())
    arranged = arrange(base.hits, leads, area_id, need, doors, now)
    if not arranged:
        if not base.hits:
            return base, need
        # Everything found was for other areas: say nothing matched, and offer what to try.
        return SearchResults(
            (),
            0,
            page,
            per_page,
            suggested_categories=index.suggest_categories(text),
            crisis_services=index.crisis_services(),
        ), need
    start = (page - 1) * per_page
    unseen = max(0, base.total - len(base.hits))  # beyond what was fetched, as the index has it
    total = len(arranged) + unseen
    if start >= len(arranged) and unseen:
        later = index.search(text, filters, now=now, page=page, per_page=per_page, lang=lang)
        kept = tuple(h for h in later.hits if h.service is None or offered(h.service, area_id))
        return SearchResults(kept, total, page, per_page, broadened=later.broadened), need
    window = tuple(arranged[start : start + per_page])
    return SearchResults(window, total, page, per_page, broadened=base.broadened), need
