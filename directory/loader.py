"""Load and validate content/services and content/areas into a frozen Directory."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

import phonenumbers
import yaml
from phonenumbers import shortnumberinfo

from directory.hours import Schedule, ScheduleError, parse_schedule
from directory.model import (
    AUDIENCES,
    CATEGORIES,
    CHANNELS,
    CHECK_METHODS,
    CHECK_RESULTS,
    CRISIS_REVIEW_DAYS,
    DEFAULT_REVIEW_DAYS,
    NATIONAL,
    NATIONAL_FRONT_DOOR,
    STATUSES,
    Area,
    Check,
    Contact,
    Directory,
    DirectoryError,
    FrontDoor,
    Service,
    Source,
    normalise_place,
)

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
# Sources often print only a year or a month; "c. 2021" is an estimate of an undated page.
_SOURCE_DATE = re.compile(r"^(?:(?:c\. )?\d{4}(?:-\d{2}(?:-\d{2})?)?|undated)$")
# Internal working notes that must never reach readers through a source's title.
_INTERNAL = re.compile(r"reference/|seeds/|contacts\.md|\.txt\b|\bvia reference\b", re.IGNORECASE)
_DISTRICT = re.compile(r"^[A-Z]{1,2}\d{1,2}[A-Z]?$")
# Which key holds the value of each channel's contact.
_CONTACT_VALUE = {
    "phone": "number",
    "text": "number",
    "email": "email",
    "webchat": "url",
    "form": "url",
    "website": "url",
    "bsl": "url",
    "in_person": "address",
}
_CONTACT_KEYS = (
    "channel", "label", "schedule", "hours_note", "keyword", "hours_sourced", "withdrawn",
)  # fmt: skip
_SERVICE_KEYS = {
    "id", "name", "organisation", "description", "status", "url", "email", "audiences",
    "categories", "areas", "contacts", "languages", "interpreters", "min_age", "max_age",
    "cost", "free", "what_happens", "accessibility", "hours_note", "alert", "keywords",
    "source", "assured_date", "source_date", "review_days", "checked",
}  # fmt: skip
_AREA_KEYS = {
    "id", "name", "council", "postcode_districts", "places", "spellings", "front_door",
    "safeguarding_partnership_url", "source", "assured_date", "source_date", "review_days",
    "note",
}  # fmt: skip
_FRONT_DOOR_KEYS = {
    "name", "in_hours", "out_of_hours", "any_time", "also", "note", "source", "source_date",
    "description", "what_happens", "audiences", "keywords", "checked",
}  # fmt: skip


class _Fields:
    """Read typed fields from one YAML mapping, naming file and field on error."""

    def __init__(self, path: Path, data: object, prefix: str = "") -> None:
        self.path = path
        self.prefix = prefix
        if not isinstance(data, Mapping):
            raise DirectoryError(path, prefix or "(top level)", "expected a mapping of fields")
        self.data: Mapping[str, Any] = data

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def error(self, key: str, message: str) -> DirectoryError:
        return DirectoryError(self.path, self.name(key), message)

    def check_keys(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.error(str(key), "unknown field")

    def nested(self, key: str) -> _Fields:
        return _Fields(self.path, self.data.get(key), f"{self.name(key)}.")

    def text(self, key: str, *, required: bool = True) -> str:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.error(key, "missing")
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise self.error(key, "must be text")
        return " ".join(value.split())

    def url(self, key: str, *, required: bool = False) -> str | None:
        value = self.text(key, required=required)
        if value and not _URL.match(value):
            raise self.error(key, f"{value!r} is not a web address (http:// or https://)")
        return value or None

    def email(self, key: str) -> str | None:
        value = self.text(key, required=False)
        if value and not _EMAIL.match(value):
            raise self.error(key, f"{value!r} is not an email address")
        return value or None

    def words(self, key: str, allowed: Mapping[str, str] | None = None) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, "must be a list of words")
        if allowed is not None:
            for item in value:
                if item not in allowed:
                    raise self.error(
                        key, f"unknown value {item!r}; use one of: {', '.join(allowed)}"
                    )
        return tuple(" ".join(v.split()) for v in value)

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value

    def integer(self, key: str, default: int | None = None) -> int | None:
        value = self.data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(key, "must be a whole number, zero or more")
        return value

    def day(self, key: str, *, allow_undated: bool = False) -> date | None:
        value = self.data.get(key)
        if value is None:
            raise self.error(key, "missing")
        if allow_undated and value == "undated":
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        hint = " or 'undated'" if allow_undated else ""
        raise self.error(key, f"{value!r} is not a date (YYYY-MM-DD{hint})")


def _sources(fields: _Fields, key: str = "source") -> tuple[Source, ...]:
    value = fields.data.get(key)
    if not value:
        raise fields.error(key, "missing: every listing says where its facts came from")
    if not isinstance(value, list):
        raise fields.error(key, "must be a list of {fact, url or document, date}")
    sources = []
    for index, item in enumerate(value):
        entry = _Fields(fields.path, item, f"{fields.name(key)}[{index}].")
        entry.check_keys({"fact", "url", "document", "date"})
        url, document = entry.url("url"), entry.text("document", required=False)
        if not url and not document:
            raise entry.error("url", "missing: give the url or the document the fact came from")
        if _INTERNAL.search(document):
            raise entry.error(
                "document", "names an internal note or file; give the publisher, title and date"
            )
        sources.append(
            Source(
                fact=entry.text("fact"),
                url=url,
                document=document or None,
                date=_source_date(entry),
            )
        )
    return tuple(sources)


def _source_date(entry: _Fields) -> str:
    value = entry.data.get("date")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str) or not _SOURCE_DATE.match(value):
        raise entry.error("date", f"{value!r}: give the date printed on the source or 'undated'")
    return value


def _phone(fields: _Fields, key: str) -> tuple[str, str]:
    """Validate a UK number; return (dialable value, display)."""
    display = fields.text(key)
    try:
        parsed = phonenumbers.parse(display, "GB")
    except phonenumbers.NumberParseException as error:
        raise fields.error(key, f"{display!r} is not a phone number ({error})") from None
    is_uk = phonenumbers.region_code_for_number(parsed) == "GB" or parsed.country_code == 44
    if is_uk and phonenumbers.is_valid_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), display
    # 999, 101, 116 123 and SMS short codes are valid only as national short numbers.
    if is_uk and not display.startswith("+") and shortnumberinfo.is_valid_short_number(parsed):
        return str(parsed.national_number), display
    raise fields.error(key, f"{display!r} is not a valid UK phone number")


def _schedule(fields: _Fields, key: str = "schedule") -> Schedule | None:
    if fields.data.get(key) is None:
        return None
    try:
        return parse_schedule(fields.data[key])
    except ScheduleError as error:
        raise fields.error(key, str(error)) from None


def _contact(fields: _Fields) -> Contact:
    channel = fields.text("channel")
    if channel not in CHANNELS:
        raise fields.error(
            "channel", f"unknown channel {channel!r}; use one of: {', '.join(CHANNELS)}"
        )
    value_key = _CONTACT_VALUE[channel]
    fields.check_keys(set(_CONTACT_KEYS) | {value_key})
    if channel in ("phone", "text"):
        value, display = _phone(fields, value_key)
    elif value_key == "email":
        value = display = fields.email(value_key) or ""
        if not value:
            raise fields.error(value_key, "missing")
    elif value_key == "url":
        value = display = fields.url(value_key, required=True) or ""
    else:
        value = display = fields.text(value_key)
    keyword = fields.text("keyword", required=False)
    if keyword and channel != "text":
        raise fields.error("keyword", "only a text contact has a keyword")
    sourced = fields.data.get("hours_sourced", True)
    if not isinstance(sourced, bool):
        raise fields.error("hours_sourced", "must be true or false")
    return Contact(
        hours_sourced=sourced,
        channel=channel,
        value=value,
        display=display,
        label=fields.text("label", required=False),
        schedule=_schedule(fields),
        hours_note=fields.text("hours_note", required=False),
        keyword=keyword,
    )


def _contacts(fields: _Fields, key: str = "contacts") -> tuple[Contact, ...]:
    value = fields.data.get(key, [])
    if not isinstance(value, list):
        raise fields.error(key, "must be a list of contacts")
    contacts = []
    for index, item in enumerate(value):
        contact = _contact(_Fields(fields.path, item, f"{fields.name(key)}[{index}]."))
        if not _withdrawn(item):
            contacts.append(contact)
    return tuple(contacts)


def _withdrawn(item: object) -> bool:
    """Return whether a curator's check found the contact no longer in use."""
    return isinstance(item, Mapping) and item.get("withdrawn") is True


def _dates(fields: _Fields) -> tuple[date, date | None]:
    assured = fields.day("assured_date")
    assert assured is not None
    source_date = fields.day("source_date", allow_undated=True)
    if source_date is not None and source_date > assured:
        raise fields.error("source_date", "is after assured_date; a source cannot be checked early")
    return assured, source_date


def _check(fields: _Fields) -> Check | None:
    if fields.data.get("checked") is None:
        return None
    entry = fields.nested("checked")
    entry.check_keys({"on", "method", "result", "note"})
    on = entry.day("on")
    assert on is not None
    method = entry.text("method")
    if method not in CHECK_METHODS:
        raise entry.error(
            "method", f"unknown method {method!r}; use one of: {', '.join(CHECK_METHODS)}"
        )
    result = entry.text("result", required=False) or "confirmed"
    if result not in CHECK_RESULTS:
        raise entry.error(
            "result", f"unknown result {result!r}; use one of: {', '.join(CHECK_RESULTS)}"
        )
    return Check(on=on, method=method, result=result, note=entry.text("note", required=False))


def _review_days(fields: _Fields, urgent: bool) -> int:
    """Return how often the listing is checked: 30 days for front doors and crisis lines."""
    default = CRISIS_REVIEW_DAYS if urgent else DEFAULT_REVIEW_DAYS
    return fields.integer("review_days", default) or default


def _service(fields: _Fields, area_ids: set[str]) -> Service:
    fields.check_keys(_SERVICE_KEYS)
    service_id = fields.text("id")
    if not _ID.match(service_id):
        raise fields.error("id", f"{service_id!r}: use lower-case words joined by hyphens")
    areas = fields.words("areas") or (NATIONAL,)
    for area in areas:
        if area != NATIONAL and area not in area_ids:
            raise fields.error("areas", f"unknown area {area!r}; add content/areas/{area}.yaml")
    status = fields.text("status", required=False) or "active"
    if status not in STATUSES:
        raise fields.error(
            "status", f"unknown status {status!r}; use one of: {', '.join(STATUSES)}"
        )
    contacts = _contacts(fields)
    alert = fields.text("alert", required=False)
    if not contacts and not alert:
        raise fields.error("contacts", "none given; say why in 'alert' so readers know")
    for language in fields.words("languages"):
        if not _LANGUAGE.match(language):
            raise fields.error("languages", f"{language!r} is not an ISO 639 language code")
    min_age, max_age = fields.integer("min_age"), fields.integer("max_age")
    if min_age is not None and max_age is not None and min_age > max_age:
        raise fields.error("max_age", "is below min_age")
    audiences = fields.words("audiences", AUDIENCES)
    categories = fields.words("categories", CATEGORIES)
    if not audiences:
        raise fields.error("audiences", "missing: say who the service is for")
    if not categories:
        raise fields.error("categories", "missing: give at least one category")
    assured, source_date = _dates(fields)
    return Service(
        id=service_id,
        name=fields.text("name"),
        organisation=fields.text("organisation"),
        description=fields.text("description"),
        status=status,
        url=fields.url("url"),
        email=fields.email("email"),
        audiences=audiences,
        categories=categories,
        areas=areas,
        contacts=contacts,
        languages=fields.words("languages"),
        interpreters=fields.flag("interpreters"),
        min_age=min_age,
        max_age=max_age,
        cost=fields.text("cost", required=False),
        free=fields.flag("free"),
        what_happens=fields.text("what_happens", required=False),
        accessibility=fields.words("accessibility"),
        hours_note=fields.text("hours_note", required=False),
        alert=alert,
        keywords=fields.words("keywords"),
        source=_sources(fields),
        assured_date=assured,
        source_date=source_date,
        review_days=_review_days(fields, "crisis" in categories),
        checked=_check(fields),
        path=fields.path,
    )


def _phone_line(fields: _Fields, key: str) -> Contact | None:
    """Read one front-door line; None when a check found it no longer in use."""
    nested = fields.nested(key)
    line = _contact(_Fields(fields.path, {"channel": "phone", **nested.data}, nested.prefix))
    return None if _withdrawn(nested.data) else line


def _front_door(fields: _Fields) -> tuple[FrontDoor, _Fields]:
    fields.check_keys(_FRONT_DOOR_KEYS)
    any_time = in_hours = out_hours = None
    has_split = "in_hours" in fields.data or "out_of_hours" in fields.data
    if fields.data.get("any_time") is not None:
        if has_split:
            raise fields.error(
                "any_time", "give either one any-time line or in_hours and out_of_hours, not both"
            )
        any_time = _phone_line(fields, "any_time")
    else:
        if "in_hours" not in fields.data:
            raise fields.error("any_time", "missing: give any_time, or in_hours and out_of_hours")
        in_hours = _phone_line(fields, "in_hours")
        if in_hours is not None and in_hours.schedule is None:
            raise fields.nested("in_hours").error(
                "schedule", "missing: the in-hours line needs its hours"
            )
        out_hours = _phone_line(fields, "out_of_hours")
        if out_hours is not None and in_hours is not None and out_hours.schedule is None:
            # The out-of-hours line is answered whenever the daytime line is closed; its hours
            # are as well sourced as the daytime line's.
            out_hours = replace(
                out_hours,
                schedule=Schedule(outside=in_hours.schedule),
                hours_sourced=in_hours.hours_sourced,
            )
    also = fields.data.get("also") or []
    if not isinstance(also, list):
        raise fields.error("also", "must be a list of phone lines")
    others = tuple(
        line
        for line in (
            _contact(
                _Fields(
                    fields.path,
                    {"channel": "phone", **(item if isinstance(item, Mapping) else {})},
                    f"{fields.name('also')}[{index}].",
                )
            )
            for index, item in enumerate(also)
            if not _withdrawn(item)
        )
    )
    source_date = fields.day("source_date", allow_undated=True)
    door = FrontDoor(
        name=fields.text("name"),
        in_hours=in_hours,
        out_of_hours=out_hours,
        any_time=any_time,
        also=others,
        note=fields.text("note", required=False),
        source=_sources(fields),
        source_date=source_date,
    )
    return door, fields


def _area(fields: _Fields) -> tuple[Area, _Fields | None]:
    fields.check_keys(_AREA_KEYS)
    area_id = fields.text("id")
    if not _ID.match(area_id) or area_id == NATIONAL:
        raise fields.error("id", f"{area_id!r}: use lower-case words joined by hyphens")
    districts = tuple(d.upper() for d in fields.words("postcode_districts"))
    for district in districts:
        if not _DISTRICT.match(district):
            raise fields.error("postcode_districts", f"{district!r} is not a postcode district")
    door, door_fields = (None, None)
    if fields.data.get("front_door") is not None:
        door, door_fields = _front_door(fields.nested("front_door"))
    assured, source_date = _dates(fields)
    area = Area(
        id=area_id,
        name=fields.text("name"),
        council=fields.text("council"),
        postcode_districts=districts,
        places=fields.words("places"),
        spellings=fields.words("spellings"),
        front_door=door,
        safeguarding_partnership_url=fields.url("safeguarding_partnership_url"),
        source=_sources(fields),
        assured_date=assured,
        source_date=source_date,
        review_days=_review_days(fields, door is not None),
        note=fields.text("note", required=False),
        path=fields.path,
    )
    return area, door_fields


def _front_door_service(area: Area, fields: _Fields) -> Service:
    """Generate the listing for an area's front door, so search and pages show it."""
    door = area.front_door
    assert door is not None
    service_id = area.front_door_service_id
    assert service_id is not None
    return Service(
        id=service_id,
        name=f"{area.name} {door.name}",
        organisation=area.council,
        description=fields.text("description"),
        what_happens=fields.text("what_happens", required=False),
        audiences=fields.words("audiences", AUDIENCES) or ("families", "professionals"),
        categories=("local-authority",),
        areas=(area.id,),
        contacts=door.contacts,
        keywords=fields.words("keywords"),
        hours_note=door.note,
        source=door.source,
        assured_date=area.assured_date,
        source_date=door.source_date,
        review_days=area.review_days,
        url=area.safeguarding_partnership_url,
        checked=_check(fields),
        path=area.path,
    )


def _documents(path: Path) -> list[tuple[Path, object, str]]:
    try:
        # _Loader is a SafeLoader that also records line numbers.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # nosec B506  # noqa: S506
    except yaml.YAMLError as error:
        raise DirectoryError(path, "(file)", f"not valid YAML: {error}") from None
    # A file holds one listing, or a list of them (how the benchmark's generator writes).
    if isinstance(data, list):
        return [(path, item, f"[{index}].") for index, item in enumerate(data)]
    return [(path, data, "")]


Published = Mapping[str, Mapping[str, Any]]


def _by_id(paths: list[Path], kind: str, published: Published) -> list[tuple[Path, object, str]]:
    """Read the seed files of one kind and put each published document in place of its seed."""
    documents = [doc for path in paths for doc in _documents(path)]
    replaced: set[str] = set()
    out = []
    for path, data, prefix in documents:
        key = f"{kind}:{data.get('id')}" if isinstance(data, Mapping) else ""
        if key in published:
            replaced.add(key)
            out.append((published_path(key), published[key], ""))
        else:
            out.append((path, data, prefix))
    for key in sorted(published):
        if key.startswith(f"{kind}:") and key not in replaced:
            out.append((published_path(key), published[key], ""))
    return out


def published_path(key: str) -> Path:
    """Name a document that lives in the database, for error messages: published/service/<id>."""
    kind, _, item_id = key.partition(":")
    return Path("published") / kind / item_id


def load_directory(content_dir: Path, published: Published | None = None) -> Directory:
    """Load and validate every area and service under content_dir; raise DirectoryError.

    `published` maps "service:<id>" or "area:<id>" to a document published from the staff area;
    it takes the place of the seed file's document with that id (or adds one). Every document,
    seed or published, passes the same validation.
    """
    content_dir = Path(content_dir)
    published = published or {}
    areas: dict[str, Area] = {}
    services: dict[str, Service] = {}
    places: dict[str, str] = {}
    districts: dict[str, str] = {}

    area_paths = sorted((content_dir / "areas").glob("*.yaml"))
    for path, data, prefix in _by_id(area_paths, "area", published):
        area, door_fields = _area(_Fields(path, data, prefix))
        if area.id in areas:
            raise DirectoryError(path, f"{prefix}id", f"duplicate area id {area.id!r}")
        areas[area.id] = area
        for place in (area.name, *area.places):
            places.setdefault(normalise_place(place), area.id)
        for district in area.postcode_districts:
            districts.setdefault(district.lower(), area.id)
        if door_fields is not None:
            generated = _front_door_service(area, door_fields)
            services[generated.id] = generated

    service_paths = sorted((content_dir / "services").glob("*.yaml"))
    for path, data, prefix in _by_id(service_paths, "service", published):
        service = _service(_Fields(path, data, prefix), set(areas))
        if service.id in services:
            other = services[service.id].path
            raise DirectoryError(
                path, f"{prefix}id", f"duplicate id {service.id!r} (also in {other})"
            )
        services[service.id] = service

    nspcc = services.get(NATIONAL_FRONT_DOOR)
    if services and (nspcc is None or nspcc.phone is None):
        raise DirectoryError(
            content_dir / "services",
            NATIONAL_FRONT_DOOR,
            "missing: the national route for areas without a front door needs a phone line",
        )
    return Directory(
        services=MappingProxyType(services),
        areas=MappingProxyType(areas),
        _places=MappingProxyType(places),
        _districts=MappingProxyType(districts),
    )


def seed_documents(content_dir: Path) -> dict[str, Mapping[str, Any]]:
    """Return every seed document by key ("service:<id>", "area:<id>"), as written in YAML."""
    out: dict[str, Mapping[str, Any]] = {}
    for kind, folder in (("area", "areas"), ("service", "services")):
        for path in sorted((Path(content_dir) / folder).glob("*.yaml")):
            for _, data, _ in _documents(path):
                if isinstance(data, Mapping) and isinstance(data.get("id"), str):
                    out[f"{kind}:{data['id']}"] = data
    return out
