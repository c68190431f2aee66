"""Listings as documents: the current one, validating an edit, two-person review, publishing.

The database holds the truth: a published document takes the place of the seed file's one
(content/ YAML is seed and export). Every edit is validated by the directory loader itself,
loading the whole directory with the edit in place, so there is one validator, not two.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from directory import Directory, DirectoryError, load_directory
from directory.loader import seed_documents
from storage.staff import Change, StaffStore

KINDS = ("service", "area")


def dump(document: Mapping[str, Any]) -> str:
    """Write a document as YAML, in the order its fields were given."""
    return yaml.safe_dump(dict(document), allow_unicode=True, sort_keys=False, width=100)


def parse(text: str, where: str = "(document)") -> dict[str, Any]:
    """Read a YAML document; raise DirectoryError naming what is wrong."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DirectoryError(where, "(file)", f"not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise DirectoryError(where, "(top level)", "expected a mapping of fields")
    return data


def published_documents(store: StaffStore) -> dict[str, dict[str, Any]]:
    return {key: parse(text, key) for key, text in store.published().items()}


def current_documents(content_dir: Path, store: StaffStore) -> dict[str, dict[str, Any]]:
    """Return every listing's document as readers see it now: seed, or published in its place."""
    documents: dict[str, dict[str, Any]] = {
        k: dict(v) for k, v in seed_documents(content_dir).items()
    }
    documents.update(published_documents(store))
    return documents


def validate(
    content_dir: Path, store: StaffStore, edits: Mapping[str, Mapping[str, Any]]
) -> Directory:
    """Load the whole directory with `edits` in place; raise DirectoryError if anything fails."""
    for key, document in edits.items():
        kind, _, item_id = key.partition(":")
        if kind not in KINDS:
            raise DirectoryError(key, "(key)", "a listing is a service or an area")
        if document.get("id") != item_id:
            raise DirectoryError(key, "id", f"must stay {item_id!r}")
    return load_directory(content_dir, {**published_documents(store), **edits})


def _facts(directory: Directory, key: str) -> Any:
    """Return what two people must agree on: numbers, web addresses and opening hours."""
    kind, _, item_id = key.partition(":")
    if kind == "area":
        area = directory.areas.get(item_id)
        if area is None:
            return None
        door = area.front_door
        contacts = door.contacts if door else ()
        extra: tuple = (area.safeguarding_partnership_url,)
    else:
        service = directory.services.get(item_id)
        if service is None:
            return None
        contacts = service.contacts
        extra = (service.url, service.email)
    return (
        extra,
        tuple(
            (c.channel, c.value, c.schedule, c.hours_sourced, c.keyword, c.hours_note)
            for c in contacts
        ),
    )


def needs_review(before: Directory, after: Directory, key: str) -> bool:
    """Return whether a change touches a number, a web address or hours (or adds a listing)."""
    return _facts(before, key) != _facts(after, key)


def propose(
    content_dir: Path,
    store: StaffStore,
    key: str,
    document: Mapping[str, Any],
    why: str,
    author: str,
    source: str = "editor",
    withdrawal: bool = False,
    always_review: bool = False,
) -> Change:
    """Validate an edit and record it; publish at once unless a reviewer must approve it.

    A withdrawal (a check found a number no longer in use) is published at once: a dead
    number hurts the person who rings it, and taking it away adds no number of our own.
    """
    documents = current_documents(content_dir, store)
    before_text = dump(documents[key]) if key in documents else ""
    after_directory = validate(content_dir, store, {key: document})
    before_directory = validate(content_dir, store, {})
    review = always_review or needs_review(before_directory, after_directory, key)
    review = review and not withdrawal
    change_id = store.add_change(key, before_text, dump(document), why, author, review, source)
    store.audit(
        author, "proposed change" if review else "changed", key, before_text, dump(document), why
    )
    if not review:
        publish(store, change_id, author, content_dir)
    change = store.change(change_id)
    assert change is not None
    return change


class ReviewError(Exception):
    """A change that cannot be approved: said to the reviewer as it is."""


def approve(content_dir: Path, store: StaffStore, change_id: int, reviewer: str) -> Change:
    """Publish a pending change approved by a second person."""
    change = store.change(change_id)
    if change is None or change.status != "pending":
        raise ReviewError("This change is no longer waiting for review.")
    if change.author == reviewer:
        raise ReviewError("You cannot approve your own change: another reviewer must.")
    current = current_documents(content_dir, store).get(change.key)
    if (dump(current) if current is not None else "") != change.before:
        raise ReviewError("The listing has changed since this was proposed. Edit it again.")
    try:
        validate(content_dir, store, {change.key: parse(change.after, change.key)})
    except DirectoryError as error:
        raise ReviewError(f"The change no longer passes the checks: {error}") from None
    publish(store, change_id, reviewer, content_dir)
    store.audit(reviewer, "approved change", change.key, change.before, change.after, change.why)
    approved = store.change(change_id)
    assert approved is not None
    return approved


def reject(store: StaffStore, change_id: int, reviewer: str, why: str) -> None:
    change = store.change(change_id)
    if change is None or not store.decide(change_id, "rejected", reviewer):
        raise ReviewError("This change is no longer waiting for review.")
    store.audit(reviewer, "rejected change", change.key, change.before, change.after, why)


def publish(store: StaffStore, change_id: int, actor: str, content_dir: Path) -> None:
    change = store.change(change_id)
    assert change is not None
    if not store.decide(change_id, "published", actor):
        raise ReviewError("This change is no longer waiting for review.")
    store.publish(change.key, change.after, change_id)


def record_check(
    content_dir: Path,
    store: StaffStore,
    key: str,
    actor: str,
    on: date,
    method: str,
    result: str,
    note: str,
    contact: int | None = None,
    new_number: str = "",
) -> Change:
    """Record a check of a listing's contacts.

    Confirmed: the listing says when and how it was checked (published at once: no fact
    changes). No longer in use: the number is withdrawn at once and the listing says so; an
    area whose front-door line failed falls back to the national route. Changed: the new
    number waits for a reviewer like any other number change.
    """
    documents = current_documents(content_dir, store)
    document = dict(documents[key])
    checked = {"on": on.isoformat(), "method": method, "result": result}
    if note:
        checked["note"] = note
    kind = key.partition(":")[0]
    why = f"check by {method} on {on.isoformat()}: {result}" + (f" ({note})" if note else "")
    if result == "confirmed":
        if kind == "area":
            door = dict(document.get("front_door") or {})
            door["checked"] = checked
            document["front_door"] = door
        else:
            document["checked"] = checked
    elif result == "not-in-use":
        document = _withdraw(document, kind, contact)
    elif result == "changed":
        document = _renumber(document, kind, contact, new_number)
    else:
        raise ValueError(f"unknown result {result!r}")
    store.audit(actor, "recorded check", key, "", "", why)
    return propose(
        content_dir,
        store,
        key,
        document,
        why,
        actor,
        source="check",
        withdrawal=result == "not-in-use",
    )


def _contact_lists(document: dict, kind: str) -> list[tuple[dict, str, int | None]]:
    """Return (holder, field, index) for each contact in reader order."""
    if kind == "service":
        return [(document, "contacts", i) for i in range(len(document.get("contacts") or []))]
    door = document.get("front_door") or {}
    out: list[tuple[dict, str, int | None]] = []
    for name in ("any_time", "in_hours", "out_of_hours"):
        if door.get(name) is not None:
            out.append((door, name, None))
    out += [(door, "also", i) for i in range(len(door.get("also") or []))]
    return out


def _withdraw(document: dict, kind: str, contact: int | None) -> dict:
    """Mark a contact withdrawn: kept in the document for the fix, gone from pages and replies."""
    document = yaml.safe_load(dump(document))  # a deep copy
    holder, name, index = _contact_lists(document, kind)[contact or 0]
    entry = holder[name][index] if index is not None else holder[name]
    entry["withdrawn"] = True
    if kind == "service":
        left = [c for c in document.get("contacts") or [] if not c.get("withdrawn")]
        if not left and not document.get("alert"):
            document["alert"] = (
                "This service's number is no longer in use. We are finding the new one."
            )
    return document


def contact_choices(document: Mapping[str, Any], kind: str) -> list[str]:
    """Describe each contact of a document for the check form, in document order."""
    out = []
    for holder, name, index in _contact_lists(dict(document), kind):
        entry = holder[name][index] if index is not None else holder[name]
        value = next((entry[k] for k in ("number", "url", "email", "address") if k in entry), "")
        label = entry.get("label") or entry.get("channel") or name
        gone = " (withdrawn)" if entry.get("withdrawn") else ""
        out.append(f"{label}: {value}{gone}")
    return out


def _renumber(document: dict, kind: str, contact: int | None, number: str) -> dict:
    document = yaml.safe_load(dump(document))
    lines = _contact_lists(document, kind)
    holder, name, index = lines[contact or 0]
    entry = holder[name][index] if index is not None else holder[name]
    key = (
        "number"
        if "number" in entry
        else next((k for k in ("url", "email", "address") if k in entry), "number")
    )
    entry[key] = number
    entry.pop("withdrawn", None)
    return document
