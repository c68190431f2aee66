"""Save these numbers (opt-in): a contact card (vCard) download and a printable card.

The numbers are those of "Talk to someone now" for the reader's audience, with 999 first and
the home area's front door, all from the directory data. Nothing about the reader is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, current_app, render_template, request

from directory import Contact, Service
from web.content import content
from web.pages import SECTIONS, TALK_NOW

bp = Blueprint("keep", __name__)
AUDIENCES = ("home", *SECTIONS)


@dataclass(frozen=True)
class Entry:
    """One number to keep: whose it is, the number, and what the data says about its hours."""

    name: str
    organisation: str
    contact: Contact


def _audience() -> str:
    value = request.args.get("for", "home")
    return value if value in AUDIENCES else "home"


def entries(audience: str) -> list[Entry]:
    """Return 999, then the lines for the audience; a front door gives both of its lines."""
    directory = content().directory
    emergency = directory.get("emergency-999")
    out = [Entry(emergency.name, emergency.organisation, emergency.phone)]
    for sid in TALK_NOW.get(audience, ()):
        if sid == "front-door":
            area = directory.areas.get(current_app.config["LANTERN_AREA"])
            door = area.front_door if area is not None else None
            if door is None:
                continue
            for line in (door.out_of_hours, door.in_hours):
                out.append(Entry(f"{area.name} {door.name}", area.council, line))
            continue
        service: Service | None = directory.services.get(sid)
        if service is not None and service.phone is not None:
            out.append(Entry(service.name, service.organisation, service.phone))
    return out


@bp.get("/save-numbers")
def card():
    """Show the numbers as a card to print, with the download and what saving leaves behind."""
    audience = _audience()
    return render_template("keep/card.html", entries=entries(audience), audience=audience)


def _escape(text: str) -> str:
    """Escape a vCard text value (RFC 6350 §3.4)."""
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def vcard(items: list[Entry]) -> str:
    """Return one vCard 3.0 per number, with CRLF line ends."""
    cards = []
    for item in items:
        note = item.contact.label or ""
        lines = [
            "BEGIN:VCARD",
            "VERSION:3.0",
            f"FN:{_escape(item.name)}",
            f"N:{_escape(item.name)};;;;",
            f"ORG:{_escape(item.organisation)}",
            f"TEL;TYPE=VOICE:{item.contact.value}",
        ]
        if note:
            lines.append(f"NOTE:{_escape(note)}")
        lines.append("END:VCARD")
        cards.append("\r\n".join(lines))
    return "\r\n".join(cards) + "\r\n"


@bp.get("/save-numbers/numbers.vcf")
def download():
    """Send the numbers as contact cards the phone can import."""
    body = vcard(entries(_audience()))
    response = Response(body, mimetype="text/vcard")
    response.headers["Content-Disposition"] = 'attachment; filename="numbers.vcf"'
    return response
