"""Save these numbers (opt-in): a contact card (vCard) download and a printable card.

The numbers are those of "Talk to someone now" for the reader's audience, with 999 first and
the home area's front door, all from the directory data. Nothing about the reader is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, current_app, render_template, request

from directory import Contact, Service
from web.content import content
from web.locale import current_language
from web.pages import FRONT_DOOR, SECTIONS, TALK_NOW

bp = Blueprint("keep", __name__)
AUDIENCES = ("home", *SECTIONS)


@dataclass(frozen=True)
class Entry:
    """One number to keep: the listing and which of its contacts."""

    service: Service
    index: int

    @property
    def contact(self) -> Contact:
        return self.service.contacts[self.index]

    @property
    def label(self) -> str:
        """Return the contact's label in the reader's language (English when not translated)."""
        if not self.contact.label:
            return ""
        return content().contact_text(current_language(), self.service, self.index, "label")


def _audience() -> str:
    value = request.args.get("for", "home")
    return value if value in AUDIENCES else "home"


def entries(audience: str) -> list[Entry]:
    """Return 999, then the lines for the audience; a front door gives each of its lines."""
    directory = content().directory
    ids = ["emergency-999"]
    for sid in TALK_NOW.get(audience, ()):
        if sid == FRONT_DOOR:
            area = directory.areas.get(current_app.config["LANTERN_AREA"])
            sid = (area.front_door_service_id if area is not None else None) or ""
        ids.append(sid)
    doors = {area.front_door_service_id for area in directory.areas.values()}
    out = []
    for sid in dict.fromkeys(ids):
        service: Service | None = directory.services.get(sid)
        if service is None:
            continue
        phones = [i for i, c in enumerate(service.contacts) if c.channel == "phone"]
        # A front door's lines are all kept (day and night); other lines, their main number.
        out += [Entry(service, i) for i in (phones if sid in doors else phones[:1])]
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
        note = item.label
        name = item.service.name
        lines = [
            "BEGIN:VCARD",
            "VERSION:3.0",
            f"FN:{_escape(name)}",
            f"N:{_escape(name)};;;;",
            f"ORG:{_escape(item.service.organisation)}",
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
