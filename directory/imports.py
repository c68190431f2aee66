"""Read listings from an Open Referral UK feed or a CSV template into directory documents.

Both return documents shaped like content/services/*.yaml, for the staff area's review queue;
nothing here publishes. Every problem names where it is: the feed's service (by position and
id) and field, or the CSV row and column. No Flask here.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from directory.model import AUDIENCES, CATEGORIES

PER_PAGE = 50
MAX_PAGES = 200  # a feed that never says it is done stops here, with an error
STATUSES = {"active", "inactive", "defunct", "temporarily closed"}


class ImportProblem(ValueError):
    """A feed or file that cannot be imported, naming the record or row and the field."""

    def __init__(self, where: str, field: str, message: str) -> None:
        self.where, self.field, self.message = where, field, message
        super().__init__(f"{where}: {field}: {message}")


def slug(text: str) -> str:
    """Make a listing id from a name: lower-case words joined by hyphens."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:60].strip("-")


# -- Open Referral UK -------------------------------------------------------------------------

Fetch = Callable[[str], bytes]


def _get(url: str) -> bytes:
    from urllib.request import Request, urlopen

    if urlsplit(url).scheme not in ("http", "https"):
        raise ImportProblem(url, "(url)", "only http:// and https:// feeds can be read")
    request = Request(url, headers={"Accept": "application/json", "User-Agent": "Lantern"})  # noqa: S310
    with urlopen(request, timeout=20) as response:  # noqa: S310  # nosec B310: scheme checked above
        return response.read(20_000_000)


def _json(raw: bytes, where: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError as error:
        raise ImportProblem(where, "(body)", f"not JSON: {error}") from None


def read_oruk(source: str, fetch: Fetch = _get) -> tuple[list[dict[str, Any]], str]:
    """Return the full service records of a feed (URL) or file, and a label for the source.

    A URL is read as the ORUK API: GET {base}/services page by page, then each service in full
    from {base}/services/{id}. A file holds one page, a list of services, or one service.
    """
    if not source.startswith(("http://", "https://")):
        path = Path(source)
        data = _json(path.read_bytes(), path.name)
        if isinstance(data, Mapping) and "contents" in data:
            data = data["contents"]
        records = data if isinstance(data, list) else [data]
        return [_record(r, f"service[{i}]") for i, r in enumerate(records)], path.name
    base = source.rstrip("/").removesuffix("/services")
    records: list[dict[str, Any]] = []
    for page in range(1, MAX_PAGES + 1):
        url = f"{base}/services?{urlencode({'page': page, 'per_page': PER_PAGE})}"
        listing = _json(fetch(url), f"page {page}")
        if not isinstance(listing, Mapping) or not isinstance(listing.get("contents"), list):
            raise ImportProblem(f"page {page}", "contents", "missing: not an ORUK service page")
        for index, item in enumerate(listing["contents"]):
            where = f"page {page} service[{index}]"
            if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
                raise ImportProblem(where, "id", "missing")
            full = _json(fetch(f"{base}/services/{item['id']}"), f"service {item['id']}")
            records.append(_record(full, f"service {item['id']}"))
        if listing.get("last_page") or not listing["contents"]:
            return records, urlsplit(base).netloc or base
    raise ImportProblem(source, "last_page", f"the feed has more than {MAX_PAGES} pages")


def _record(record: Any, where: str) -> dict[str, Any]:
    if not isinstance(record, Mapping):
        raise ImportProblem(where, "(record)", "expected a service object")
    for key in ("id", "name", "status"):
        if not isinstance(record.get(key), str) or not record[key].strip():
            raise ImportProblem(where, key, "missing (ORUK requires id, name and status)")
    return dict(record)


def _terms(record: Mapping[str, Any], allowed: Mapping[str, str]) -> list[str]:
    found = []
    for attribute in record.get("attributes") or []:
        term = (
            (attribute.get("taxonomy_term") or {}).get("term")
            if isinstance(attribute, Mapping)
            else None
        )
        if term in allowed and term not in found:
            found.append(term)
    return found


def oruk_document(
    record: Mapping[str, Any],
    where: str,
    source_label: str,
    source_url: str | None,
    area: str,
    today: date,
    audience: str = "families",
    category: str = "advocacy",
) -> dict[str, Any]:
    """Map one ORUK service to a listing document (the loader validates it afterwards)."""
    name = " ".join(str(record["name"]).split())
    organisation = record.get("organization") or {}
    status = str(record.get("status", "active")).lower()
    if status not in STATUSES:
        raise ImportProblem(where, "status", f"unknown status {status!r}")
    contacts: list[dict[str, Any]] = []
    phones = list(record.get("phones") or [])
    for contact in record.get("contacts") or []:
        if not isinstance(contact, Mapping):
            raise ImportProblem(where, "contacts", "expected contact objects")
        phones += contact.get("phones") or []
        if contact.get("email"):
            contacts.append({"channel": "email", "email": contact["email"]})
    for index, phone in enumerate(phones):
        if not isinstance(phone, Mapping) or not phone.get("number"):
            raise ImportProblem(where, f"phones[{index}].number", "missing")
        entry = {"channel": "phone", "number": str(phone["number"])}
        if phone.get("description") and phone["description"] != "Voice":
            entry["label"] = str(phone["description"])
        contacts.append(entry)
    if record.get("url") and not any(c["channel"] == "website" for c in contacts):
        contacts.append({"channel": "website", "url": record["url"]})
    assured = str(record.get("assured_date") or record.get("last_modified") or "")[:10]
    source_date = assured if re.fullmatch(r"\d{4}-\d{2}-\d{2}", assured) else today.isoformat()
    source = {
        "fact": f"Listing published in the Open Referral UK directory {source_label}",
        "date": source_date,
    }
    if source_url:
        source["url"] = source_url
    else:
        source["document"] = f"Open Referral UK export from {source_label}"
    document: dict[str, Any] = {
        "id": slug(name),
        "name": name,
        "organisation": " ".join(str(organisation.get("name") or name).split()),
        "description": " ".join(str(record.get("description") or "").split()),
        "status": status,
        "audiences": _terms(record, AUDIENCES) or [audience],
        "categories": _terms(record, CATEGORIES) or [category],
        "areas": [area],
        "contacts": contacts,
        "source": [source],
        "assured_date": today.isoformat(),
        "source_date": min(source_date, today.isoformat()),
    }
    for key in ("url", "email"):
        if record.get(key):
            document[key] = record[key]
    for key in ("minimum_age", "maximum_age"):
        if isinstance(record.get(key), int):
            document["min_age" if key == "minimum_age" else "max_age"] = record[key]
    if not contacts:
        document["alert"] = "The directory this came from gives no way to contact the service."
    return document


# -- the CSV template ---------------------------------------------------------------------------

SERVICE_COLUMNS = (
    "type", "id", "name", "organisation", "description", "audiences", "categories", "areas",
    "url", "email", "cost", "free", "source_fact", "source_url", "source_document",
    "source_date",
)  # fmt: skip
CONTACT_COLUMNS = ("channel", "value", "label", "hours_note")
COLUMNS = (*SERVICE_COLUMNS, *CONTACT_COLUMNS)
_VALUE_KEY = {
    "phone": "number", "text": "number", "email": "email", "webchat": "url", "form": "url",
    "website": "url", "bsl": "url", "in_person": "address",
}  # fmt: skip


def csv_template() -> str:
    """Return the header row and one example of each row type (a council fills in the rest)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(
        ["service", "example-service", "Example service", "Example charity",
         "What the service does, in one or two plain sentences.", "adult-survivors",
         "counselling; advocacy", "rotherham", "https://example.org", "", "Free", "yes",
         "Name and number on the charity's own site", "https://example.org/contact", "",
         "2026-11-23", "", "", "", ""]
    )  # fmt: skip
    writer.writerow(
        ["contact", "example-service", *[""] * (len(SERVICE_COLUMNS) - 2), "phone",
         "0114 496 0000", "Helpline", "Monday to Friday daytime"]
    )  # fmt: skip
    return out.getvalue()


def _words(value: str) -> list[str]:
    return [w.strip() for w in re.split(r"[;,]", value) if w.strip()]


def read_csv(text: str, today: date) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Return listing documents from a CSV template, and where each field came from.

    The second value maps each document id to {"row": n, "contacts": [row numbers],
    "columns": {field: column}} so the loader's errors can name the row and column.
    """
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("type", "id") if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportProblem("row 1", missing[0], "missing column: start from the template")
    unknown = [c for c in reader.fieldnames or [] if c not in COLUMNS]
    if unknown:
        raise ImportProblem("row 1", unknown[0], "unknown column")
    documents: dict[str, dict[str, Any]] = {}
    origins: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(reader, start=2):
        kind = (row.get("type") or "").strip().lower()
        item_id = (row.get("id") or "").strip()
        if not item_id:
            raise ImportProblem(f"row {number}", "id", "missing")
        if kind == "service":
            if item_id in documents:
                raise ImportProblem(f"row {number}", "id", f"{item_id!r} appears twice")
            documents[item_id] = _csv_service(row, number, today)
            origins[item_id] = {"row": number, "contacts": []}
        elif kind == "contact":
            if item_id not in documents:
                raise ImportProblem(
                    f"row {number}", "id", f"no service row for {item_id!r} above this contact"
                )
            channel = (row.get("channel") or "").strip()
            if channel not in _VALUE_KEY:
                raise ImportProblem(
                    f"row {number}", "channel", f"{channel!r}: use one of {', '.join(_VALUE_KEY)}"
                )
            contact = {"channel": channel, _VALUE_KEY[channel]: (row.get("value") or "").strip()}
            for key in ("label", "hours_note"):
                if (row.get(key) or "").strip():
                    contact[key] = row[key].strip()
            documents[item_id].setdefault("contacts", []).append(contact)
            origins[item_id]["contacts"].append(number)
        else:
            raise ImportProblem(f"row {number}", "type", f"{kind!r}: use service or contact")
    return list(documents.values()), origins


def _csv_service(row: Mapping[str, str], number: int, today: date) -> dict[str, Any]:
    def cell(key: str) -> str:
        return (row.get(key) or "").strip()

    document: dict[str, Any] = {
        "id": cell("id"),
        "name": cell("name"),
        "organisation": cell("organisation"),
        "description": cell("description"),
        "audiences": _words(cell("audiences")),
        "categories": _words(cell("categories")),
        "areas": _words(cell("areas")),
        "contacts": [],
        "assured_date": today.isoformat(),
    }
    for key in ("url", "email", "cost"):
        if cell(key):
            document[key] = cell(key)
    if cell("free"):
        if cell("free").lower() not in ("yes", "no"):
            raise ImportProblem(f"row {number}", "free", "use yes or no")
        document["free"] = cell("free").lower() == "yes"
    source: dict[str, Any] = {"fact": cell("source_fact"), "date": cell("source_date")}
    if cell("source_url"):
        source["url"] = cell("source_url")
    if cell("source_document"):
        source["document"] = cell("source_document")
    document["source"] = [source]
    document["source_date"] = cell("source_date") or "undated"
    return document


# Loader field -> CSV column, for naming the column of an error.
_FIELD_COLUMN = {
    "number": "value", "email": "value", "url": "value", "address": "value",
    "channel": "channel", "label": "label", "hours_note": "hours_note",
}  # fmt: skip


def csv_location(origins: Mapping[str, Mapping[str, Any]], item_id: str, field: str) -> str:
    """Turn a loader error's field into "row N, column C" of the CSV."""
    origin = origins.get(item_id)
    if origin is None:
        return f"listing {item_id}, field {field}"
    found = re.match(r"contacts\[(\d+)\]\.(\w+)", field)
    if found and int(found.group(1)) < len(origin["contacts"]):
        row = origin["contacts"][int(found.group(1))]
        return f"row {row}, column {_FIELD_COLUMN.get(found.group(2), found.group(2))}"
    top = field.split(".")[0].split("[")[0]
    column = {"source": "source_" + (field.rsplit(".", 1)[-1] if "." in field else "fact")}.get(
        top, top
    )
    return f"row {origin['row']}, column {column}"


def ids(documents: Iterable[Mapping[str, Any]]) -> list[str]:
    return [str(d.get("id")) for d in documents]
