"""Open Referral UK (HSDS 3.0 UK profile) records for services, for the API and export."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from directory.hours import rrule_days
from directory.model import AUDIENCES, CATEGORIES, CHANNELS, NATIONAL, Directory, Service

# Every id is a UUID derived from the listing's own id, so it never changes between exports.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://lantern.invalid/directory")
LANGUAGE_NAMES = {
    "en": "English",
    "cy": "Welsh",
    "ur": "Urdu",
    "ar": "Arabic",
    "pl": "Polish",
    "sk": "Slovak",
    "cs": "Czech",
    "ro": "Romanian",
}


def record_id(*parts: str) -> str:
    """Return the stable UUID for a listing, or for one part of it."""
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def service_uuid(service_id: str) -> str:
    """Return the Open Referral id of a listing."""
    return record_id("service", service_id)


def _clean(value: Any) -> Any:
    """Drop None and empty values: Open Referral wants optional fields left out, not null."""
    if isinstance(value, Mapping):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _organisation(service: Service) -> dict[str, Any]:
    return {
        "id": record_id("organisation", service.organisation),
        "name": service.organisation,
        "description": f"The organisation that runs {service.name}.",
    }


def _schedules(service: Service, sid: str) -> list[dict[str, Any]]:
    schedules = []
    for index, contact in enumerate(service.contacts):
        base = {"service_id": sid, "description": contact.label or CHANNELS[contact.channel]}
        key = f"{service.id}/contact/{index}"
        schedule = contact.known_hours  # hours no source gives are not published as fact
        if schedule is None:
            if contact.hours_note:
                schedules.append(
                    {"id": record_id(key, "hours"), **base, "notes": contact.hours_note}
                )
            continue
        notes = contact.hours_note or None
        if schedule.outside is not None:
            text = "Outside the hours of the daytime line"
            schedules.append({"id": record_id(key, "outside"), **base, "notes": text})
        elif schedule.always_open:
            schedules.append(
                {
                    "id": record_id(key, "always"),
                    **base,
                    "freq": "WEEKLY",
                    "byday": rrule_days(tuple(range(7))),
                    "opens_at": "00:00",
                    "closes_at": "23:59",
                    "notes": notes or "24 hours a day, every day",
                }
            )
        else:
            if schedule.closed_on_bank_holidays:
                notes = " ".join(
                    filter(None, ("Closed on bank holidays in England and Wales.", notes))
                )
            for number, opening in enumerate(schedule.openings):
                schedules.append(
                    {
                        "id": record_id(key, "opening", str(number)),
                        **base,
                        "freq": "WEEKLY",
                        "byday": rrule_days(opening.days),
                        "opens_at": opening.opens.strftime("%H:%M"),
                        "closes_at": opening.closes.strftime("%H:%M"),
                        "notes": notes,
                    }
                )
    return schedules


def _contacts(service: Service, sid: str) -> list[dict[str, Any]]:
    contacts = []
    for index, contact in enumerate(service.contacts):
        cid = record_id(service.id, "contact", str(index))
        entry: dict[str, Any] = {
            "id": cid,
            "service_id": sid,
            "name": contact.label or CHANNELS[contact.channel],
            "title": CHANNELS[contact.channel],
        }
        if contact.is_number:
            entry["phones"] = [
                {
                    "id": record_id(service.id, "phone", str(index)),
                    "contact_id": cid,
                    "number": contact.display,
                    "description": "Text message" if contact.channel == "text" else "Voice",
                }
            ]
        elif contact.channel == "email":
            entry["email"] = contact.value
        else:
            entry["url"] = contact.value
        contacts.append(entry)
    return contacts


def _attributes(service: Service, sid: str) -> list[dict[str, Any]]:
    attributes = []
    for taxonomy, terms, labels in (
        ("lantern-category", service.categories, CATEGORIES),
        ("lantern-audience", service.audiences, AUDIENCES),
        ("lantern-channel", service.channels, CHANNELS),
    ):
        for term in terms:
            term_id = record_id("taxonomy", taxonomy, term)
            attributes.append(
                {
                    "id": record_id(service.id, "attribute", taxonomy, term),
                    "link_id": sid,
                    "link_type": "service",
                    "taxonomy_term_id": term_id,
                    "taxonomy_term": {
                        "id": term_id,
                        "name": labels[term],
                        "description": labels[term],
                        "taxonomy": taxonomy,
                        "term": term,
                    },
                }
            )
    return attributes


def service_summary(service: Service) -> dict[str, Any]:
    """Return the short Open Referral record used in a list of services."""
    return _clean(
        {
            "id": service_uuid(service.id),
            "organization_id": record_id("organisation", service.organisation),
            "name": service.name,
            "description": service.description,
            "url": service.url,
            "email": service.email,
            "status": service.status,
            "minimum_age": service.min_age,
            "maximum_age": service.max_age,
            "assured_date": service.assured_date.isoformat(),
            "alert": service.alert,
            "organization": _organisation(service),
        }
    )


def service_record(service: Service, directory: Directory | None = None) -> dict[str, Any]:
    """Return the full Open Referral UK service record for a listing."""
    sid = service_uuid(service.id)
    record = service_summary(service)
    areas = []
    for area_id in service.areas:
        name = "United Kingdom (national service)" if area_id == NATIONAL else area_id
        if directory is not None and area_id in directory.areas:
            area = directory.areas[area_id]
            name = f"{area.name} ({area.council})"
        areas.append(
            {"id": record_id(service.id, "area", area_id), "service_id": sid, "name": name}
        )
    record.update(
        _clean(
            {
                "service_areas": areas,
                "schedules": _schedules(service, sid),
                "contacts": _contacts(service, sid),
                "languages": [
                    {
                        "id": record_id(service.id, "language", code),
                        "service_id": sid,
                        "code": code,
                        "name": LANGUAGE_NAMES.get(code),
                    }
                    for code in service.languages
                ],
                "cost_options": [
                    {
                        "id": record_id(service.id, "cost"),
                        "service_id": sid,
                        "option": service.cost or "Free",
                        "amount": 0 if service.free else None,
                        "amount_description": service.cost,
                    }
                ]
                if service.cost or service.free
                else [],
                "attributes": _attributes(service, sid),
            }
        )
    )
    return record


def service_page(
    items: Sequence[Mapping[str, Any]], *, total: int, page: int, per_page: int
) -> dict[str, Any]:
    """Wrap records in the Open Referral paginated list shape, with contents."""
    total_pages = max(1, -(-total // per_page))
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(items),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": total == 0,
        "contents": list(items),
    }


def export(directory: Directory, services: Iterable[Service] | None = None) -> dict[str, Any]:
    """Return every listing as full Open Referral UK records in one page."""
    chosen = sorted(
        services if services is not None else directory.services.values(), key=lambda s: s.id
    )
    records = [service_record(s, directory) for s in chosen]
    return service_page(records, total=len(records), page=1, per_page=max(1, len(records)))
