"""Open Referral UK export: every record validates against the UK profile's schema."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from directory import load_directory
from directory.curator import check, export_json
from directory.openreferral import (
    export,
    service_page,
    service_record,
    service_summary,
    service_uuid,
)

SCHEMA_DIR = Path(__file__).parent / "schema"


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


SERVICE = validator("compiled_service.json")
SUMMARY = validator("compiled_service_list.json")


def nulls(value, path="$"):
    """Yield the paths of null or empty values in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from nulls(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nulls(item, f"{path}[{index}]")
    if value is None or value in ("", [], {}):
        yield path


def test_every_shipped_listing_validates(shipped):
    """Does each listing's record pass compiled_service.json, with no null optional fields?"""
    assert shipped.services
    for service in shipped.services.values():
        record = service_record(service, shipped)
        errors = sorted(SERVICE.iter_errors(record), key=str)
        assert not errors, (service.id, [e.message for e in errors])
        assert not list(nulls(record)), service.id
        summary = service_summary(service)
        assert not list(SUMMARY.iter_errors(summary)), service.id


def test_the_schema_check_can_fail(shipped):
    """Would the validator catch a bad id or status, so the test above means something?"""
    record = service_record(shipped.get("childline"), shipped)
    assert list(SERVICE.iter_errors({**record, "id": "childline"}))
    assert list(SERVICE.iter_errors({**record, "status": "open"}))


def test_ids_are_stable_uuids(shipped):
    """Are ids UUIDs derived from the listing id, the same on every export?"""
    first = service_record(shipped.get("samaritans"), shipped)
    again = service_record(
        load_directory(shipped.get("samaritans").path.parents[1]).get("samaritans")
    )
    assert first["id"] == again["id"] == service_uuid("samaritans")
    assert uuid.UUID(first["id"]).version == 5
    assert first["id"] != service_uuid("shout")


def test_record_content(shipped):
    """Does a record carry the phone, schedule, languages and categories people need?"""
    record = service_record(shipped.get("galop"), shipped)
    assert record["name"] == "Galop National LGBT+ Abuse and Violence Helpline"
    assert record["assured_date"] == "2026-11-23"
    phones = [p["number"] for c in record["contacts"] for p in c.get("phones", [])]
    assert phones == ["0800 999 5428"]
    assert {(s["byday"], s["opens_at"], s["closes_at"]) for s in record["schedules"]} == {
        ("MO,TU,WE,TH", "10:00", "20:30"),
        ("FR", "10:00", "16:30"),
    }
    terms = {a["taxonomy_term"]["term"] for a in record["attributes"]}
    assert {"helpline", "domestic-abuse", "young-people", "phone"} <= terms
    assert record["service_areas"][0]["name"] == "United Kingdom (national service)"
    mash = service_record(shipped.get("rotherham-mash"), shipped)
    assert mash["service_areas"][0]["name"] == "Rotherham (Rotherham Metropolitan Borough Council)"
    assert "+441709336080" in str(mash["contacts"]) or "01709 336080" in str(mash["contacts"])


def test_unknown_hours_are_exported_as_notes(shipped):
    """Are hours we could not confirm exported as a note rather than invented times?"""
    record = service_record(shipped.get("nspcc-helpline"), shipped)
    assert all("opens_at" not in s for s in record["schedules"])
    assert any("check before calling" in s["notes"] for s in record["schedules"])


def test_export_is_a_page_with_contents(shipped):
    """Is the export the Open Referral list shape, with every listing in contents?"""
    data = export(shipped)
    assert data["total_items"] == len(shipped.services) == len(data["contents"])
    assert data["first_page"] and data["last_page"] and not data["empty"]
    text = export_json(shipped)
    assert json.loads(text)["contents"][0]["id"] == data["contents"][0]["id"]
    with pytest.raises(ValueError, match="unknown export format"):
        export_json(shipped, "csv")


def test_empty_page_shape():
    """Is an empty page marked empty with no contents?"""
    page = service_page([], total=0, page=1, per_page=10)
    assert page == {
        "total_items": 0,
        "total_pages": 1,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": True,
        "empty": True,
        "contents": [],
    }


def test_check_reports_overdue_listings_and_errors(content_tree, shipped):
    """Does the curator check list overdue listings, and fail with the file named on bad data?"""
    from datetime import date

    report = check(shipped.get("samaritans").path.parents[1], date(2026, 11, 23))
    assert report.ok and report.exit_code == 0
    overdue = [s.id for s in report.overdue]
    assert "rotherham-mash" in overdue
    dated = [s.id for s in report.overdue if s.last_checked is not None]
    assert dated[0] == "crimestoppers"  # undated first, then the most overdue: 2014
    assert overdue.index("ceop") < overdue.index("rotherham-mash")
    assert any("rotherham-mash: source 2021-11-15" in line for line in report.lines())
    root = content_tree({"bad.yaml": "id: bad\n"})
    broken = check(root, date(2026, 11, 23))
    assert not broken.ok and broken.exit_code == 1
    assert "bad.yaml" in broken.lines()[0]
