"""The directory's frozen data model: services, contacts, areas and their sources."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from urllib.parse import quote

from directory.hours import Schedule, to_london

# English labels; the web layer translates them. Order is the order filters show them in.
AUDIENCES: Mapping[str, str] = MappingProxyType(
    {
        "young-people": "Young people",
        "families": "Families and carers",
        "adult-survivors": "Adult survivors",
        "professionals": "Professionals",
    }
)
CATEGORIES: Mapping[str, str] = MappingProxyType(
    {
        "helpline": "Helplines",
        "crisis": "Crisis and suicide",
        "counselling": "Counselling",
        "sexual-violence": "Sexual violence and abuse",
        "online-safety": "Online safety",
        "missing": "Missing and runaway",
        "police-reporting": "Police and reporting",
        "domestic-abuse": "Domestic abuse",
        "mental-health": "Mental health",
        "prevention": "Prevention",
        "advocacy": "Advocacy and support",
        "local-authority": "Council and children's services",
    }
)
CHANNELS: Mapping[str, str] = MappingProxyType(
    {
        "phone": "Phone",
        "text": "Text message",
        "webchat": "Web chat",
        "email": "Email",
        "form": "Online form",
        "website": "Website",
        "in_person": "In person",
        "bsl": "British Sign Language",
    }
)
STATUSES = ("active", "inactive", "defunct", "temporarily closed")
# Channels answered as they happen, so their hours decide "open now".
LIVE_CHANNELS = frozenset({"phone", "text", "webchat", "bsl"})
NATIONAL = "national"
# Where a place has no front door of its own: the NSPCC helpline (DESIGN.md §4).
NATIONAL_FRONT_DOOR = "nspcc-helpline"
# How often a listing's contacts are checked: front doors and crisis lines monthly.
DEFAULT_REVIEW_DAYS = 180
CRISIS_REVIEW_DAYS = 30


class DirectoryError(ValueError):
    """Bad directory data, naming the file and the field."""

    def __init__(self, path: Path | str, field: str, message: str) -> None:
        self.path = Path(path)
        self.field = field
        self.message = message
        super().__init__(f"{path}: {field}: {message}")


@dataclass(frozen=True)
class Source:
    """Where one fact came from: a web page or a document, and the date printed on it."""

    fact: str
    url: str | None = None
    document: str | None = None
    date: str = "undated"  # as printed: 2020-03-31, 2021-11, 2014, "c. 2021" or undated


@dataclass(frozen=True)
class Contact:
    """One way to reach a service: a number, an address or a link, with its hours."""

    channel: str
    value: str
    display: str
    label: str = ""
    schedule: Schedule | None = None
    hours_note: str = ""
    keyword: str = ""  # what to text, e.g. SHOUT
    # False when the hours are our assumption or inferred, not printed in a source: the engine
    # may still route by them, but readers are never told "open now" or "closed now" on them.
    hours_sourced: bool = True

    @property
    def is_number(self) -> bool:
        """Return whether the contact is dialled or texted."""
        return self.channel in ("phone", "text")

    @property
    def tel_uri(self) -> str | None:
        """Return the tel: or sms: link for a number, None for other channels."""
        if self.channel == "phone":
            return f"tel:{self.value}"
        if self.channel == "text":
            body = f"?body={quote(self.keyword)}" if self.keyword else ""
            return f"sms:{self.value}{body}"
        return None

    @property
    def href(self) -> str | None:
        """Return a link that opens this contact: tel:, sms:, mailto: or a web address."""
        if self.is_number:
            return self.tel_uri
        if self.channel == "email":
            return f"mailto:{self.value}"
        if self.value.startswith(("https://", "http://")):
            return self.value
        return None

    @property
    def known_hours(self) -> Schedule | None:
        """Return the hours readers may be told about: sourced ones only."""
        return self.schedule if self.hours_sourced else None

    def open_now(self, now: datetime) -> bool | None:
        """Return whether the contact is answered now; None if no source gives its hours."""
        hours = self.known_hours
        return None if hours is None else hours.open_at(now)

    def next_opening(self, now: datetime) -> datetime | None:
        """Return when a closed contact next opens."""
        hours = self.known_hours
        return None if hours is None else hours.next_opening(now)

    def closes_at(self, now: datetime) -> datetime | None:
        """Return when an open contact next closes."""
        hours = self.known_hours
        return None if hours is None else hours.next_closing(now)


CHECK_METHODS = ("phone", "text", "email", "website")
CHECK_RESULTS = ("confirmed", "not-in-use", "changed")


@dataclass(frozen=True)
class Check:
    """A curator's check of a listing's contacts: when, how and what they found."""

    on: date
    method: str  # one of CHECK_METHODS
    result: str = "confirmed"  # one of CHECK_RESULTS
    note: str = ""


@dataclass(frozen=True)
class Service:
    """A support service, shaped after the Open Referral UK service record."""

    id: str
    name: str
    organisation: str
    description: str
    audiences: tuple[str, ...]
    categories: tuple[str, ...]
    areas: tuple[str, ...]
    contacts: tuple[Contact, ...]
    assured_date: date
    source: tuple[Source, ...]
    source_date: date | None
    review_days: int = DEFAULT_REVIEW_DAYS
    status: str = "active"
    url: str | None = None
    email: str | None = None
    languages: tuple[str, ...] = ()
    interpreters: bool = False
    min_age: int | None = None
    max_age: int | None = None
    cost: str = ""
    free: bool = False
    what_happens: str = ""
    accessibility: tuple[str, ...] = ()
    hours_note: str = ""
    alert: str = ""
    keywords: tuple[str, ...] = ()
    checked: Check | None = None  # the last check that confirmed the details
    path: Path | None = field(default=None, compare=False)

    @property
    def reachable(self) -> bool:
        """Return whether readers can act on the listing: it has a contact or a website."""
        return bool(self.contacts or self.url)

    @property
    def phone(self) -> Contact | None:
        """Return the main voice line: the first phone contact."""
        return next((c for c in self.contacts if c.channel == "phone"), None)

    @property
    def live_contacts(self) -> tuple[Contact, ...]:
        """Return the contacts answered as they happen (phone, text, chat, BSL)."""
        return tuple(c for c in self.contacts if c.channel in LIVE_CHANNELS)

    @property
    def channels(self) -> tuple[str, ...]:
        """Return the contact channels, each once, in listing order."""
        return tuple(dict.fromkeys(c.channel for c in self.contacts))

    @property
    def always_open(self) -> bool:
        """Return whether a live contact is answered 24 hours a day, every day."""
        return any(c.schedule is not None and c.schedule.always_open for c in self.live_contacts)

    @property
    def is_national(self) -> bool:
        """Return whether the service covers the whole country."""
        return NATIONAL in self.areas

    @property
    def last_checked(self) -> date | None:
        """Return when the details were last confirmed: a recorded check, else the newest
        source's printed date; None if neither."""
        if self.checked is not None:
            return self.checked.on
        return self.source_date

    def needs_check(self, today: date) -> bool:
        """Return whether the facts are older than the review interval, or undated."""
        if self.checked is not None:
            return (today - self.checked.on).days > self.review_days
        if self.source_date is None:
            return True
        checked = min(self.source_date, self.assured_date)
        return (today - checked).days > self.review_days

    def due_on(self) -> date:
        """Return when the listing is next due for a check (date.min when it never had one)."""
        if self.last_checked is None:
            return date.min
        return self.last_checked + timedelta(days=self.review_days)

    def open_now(self, now: datetime) -> bool | None:
        """Return whether a live contact is open now; None when the hours are unknown."""
        states = [c.open_now(now) for c in self.live_contacts]
        if any(states):
            return True
        if not states or None in states:
            return None
        return False

    def next_opening(self, now: datetime) -> datetime | None:
        """Return when the first live contact next opens, if all are closed now."""
        if self.open_now(now) is not False:
            return None
        times = [t for c in self.live_contacts if (t := c.next_opening(now)) is not None]
        return min(times, default=None)


@dataclass(frozen=True)
class FrontDoor:
    """A council's children's front door.

    Either one number to call at any time (`any_time`), or a daytime line and an out-of-hours
    line between which the engine chooses by the clock. `also` holds numbers readers may see
    but that are never chosen for them (for example an older number not confirmed since).
    """

    name: str
    in_hours: Contact | None
    out_of_hours: Contact | None
    note: str
    source: tuple[Source, ...]
    source_date: date | None
    any_time: Contact | None = None
    also: tuple[Contact, ...] = ()

    @property
    def contacts(self) -> tuple[Contact, ...]:
        """Return every line in the order readers see them: the one to call first."""
        main = (self.any_time,) if self.any_time is not None else ()
        split = tuple(c for c in (self.in_hours, self.out_of_hours) if c is not None)
        return (*main, *split, *self.also)

    def contact_now(self, now: datetime) -> Contact | None:
        """Return the line to call now: the any-time line, else the one the clock opens; None
        when a check has withdrawn the line (the national route then takes its place)."""
        if self.any_time is not None:
            return self.any_time
        if self.in_hours is None or self.in_hours.schedule is None:
            return self.out_of_hours
        # Routing follows the data's hours even where readers are not shown a badge for them.
        return self.in_hours if self.in_hours.schedule.open_at(now) else self.out_of_hours


@dataclass(frozen=True)
class Area:
    """A council area: its places, postcode districts and children's front door."""

    id: str
    name: str
    council: str
    postcode_districts: tuple[str, ...]
    places: tuple[str, ...]
    front_door: FrontDoor | None
    safeguarding_partnership_url: str | None
    source: tuple[Source, ...]
    assured_date: date
    source_date: date | None = None
    review_days: int = DEFAULT_REVIEW_DAYS
    note: str = ""
    path: Path | None = field(default=None, compare=False)
    # Other ways people write the places: other scripts and common misspellings (triage only).
    spellings: tuple[str, ...] = ()

    @property
    def front_door_service_id(self) -> str | None:
        """Return the id of the service listing generated from the front door."""
        return f"{self.id}-mash" if self.front_door else None


_POSTCODE = re.compile(r"\b([a-z]{1,2}\d{1,2}[a-z]?)(?:\s*\d[a-z]{2})?\b")


def normalise_place(text: str) -> str:
    """Lower-case a place name and keep only letters, digits and single spaces."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


@dataclass(frozen=True)
class Directory:
    """All listings and areas, validated and frozen."""

    services: Mapping[str, Service]
    areas: Mapping[str, Area]
    _places: Mapping[str, str] = field(default_factory=dict, repr=False)
    _districts: Mapping[str, str] = field(default_factory=dict, repr=False)

    def get(self, service_id: str) -> Service:
        """Return a service by id; KeyError if unknown."""
        return self.services[service_id]

    @cached_property
    def schedules(self) -> tuple[Schedule, ...]:
        """Return every distinct set of opening hours, front doors included."""
        contacts = [c for s in self.services.values() for c in s.contacts]
        for area in self.areas.values():
            if area.front_door is not None:
                contacts += list(area.front_door.contacts)
        return tuple(dict.fromkeys(c.schedule for c in contacts if c.schedule is not None))

    def opening_state(self, now: datetime) -> tuple[date, tuple[bool, ...]]:
        """Return all that time changes in what the directory shows: the day, and which lines
        are open. Between two changes of it, every "open now", "opens at" and front-door line
        reads the same."""
        return to_london(now).date(), tuple(s.open_at(now) for s in self.schedules)

    def area_for_place(self, text: str) -> Area | None:
        """Return the area for a town, village, postcode or postcode district in the text."""
        words = normalise_place(text)
        if not words:
            return None
        if words in self._places:
            return self.areas[self._places[words]]
        for match in _POSTCODE.finditer(words):
            area_id = self._districts.get(match.group(1))
            if area_id:
                return self.areas[area_id]
        # Longest place names first so "kiveton park" wins over "park".
        padded = f" {words} "
        for place in sorted(self._places, key=len, reverse=True):
            if f" {place} " in padded:
                return self.areas[self._places[place]]
        return None

    def front_door_now(self, area_id: str | None, now: datetime) -> Contact:
        """Return the children's front-door number answered now, or the national route."""
        area = self.areas[area_id] if area_id is not None else None
        if area is not None and area.front_door is not None:
            line = area.front_door.contact_now(now)
            if line is not None:
                return line
        fallback = self.services[NATIONAL_FRONT_DOOR].phone
        assert fallback is not None, "the national front door has a phone line"
        return fallback

    def for_area(self, area_id: str | None) -> tuple[Service, ...]:
        """Return the services open to people in an area: local ones first, then national."""
        local = [s for s in self.services.values() if area_id and area_id in s.areas]
        national = [s for s in self.services.values() if s.is_national]
        return tuple(local + national)

    def overdue(self, today: date) -> tuple[Service, ...]:
        """Return the listings whose facts are due for checking, most overdue first."""
        due = [s for s in self.services.values() if s.needs_check(today)]
        return tuple(sorted(due, key=lambda s: (s.due_on(), s.id)))

    def review_queue(self) -> tuple[Service, ...]:
        """Return every listing in the order checks fall due, the most overdue first."""
        return tuple(sorted(self.services.values(), key=lambda s: (s.due_on(), s.id)))
