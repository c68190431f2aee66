"""The home page, the content pages, quick exit and the health check."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    get_template_attribute,
    redirect,
    render_template,
    request,
    session,
)
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from directory import Contact, Service
from web.clock import now
from web.content import Page, content
from web.insight import count_page
from web.locale import DEFAULT, current_language
from web.markdown import fill_directives
from web.pagecache import cached_page

bp = Blueprint("pages", __name__)

SECTIONS = ("young-people", "families", "adult-survivors", "professionals")
FRONT_DOOR = "front-door"  # the home area's children's front door (LANTERN_AREA)
# "Talk to someone now": the lines right for each audience, best first. Lines known to be open
# now are shown before lines whose hours are unknown; a line known to be closed is left out.
TALK_NOW: dict[str, tuple[str, ...]] = {
    "home": ("childline", "nspcc-helpline"),
    "young-people": ("childline",),
    "families": (FRONT_DOOR, "nspcc-helpline"),
    "adult-survivors": ("rape-crisis-247", "napac"),
    "professionals": (FRONT_DOOR, "nspcc-helpline"),
}
# Who each line is for, as the home page shows it (one line each).
TALK_FOR = {
    "childline": _l("Under 18"),
    "nspcc-helpline": _l("Worried about a child"),
    FRONT_DOOR: _l("Worried about a child"),
}


@dataclass(frozen=True)
class TalkLine:
    """One line to call in "Talk to someone now", with its web chat when it has one."""

    service: Service
    contact: Contact
    name: str
    who: str
    open_now: bool | None
    chat: Contact | None


def render_page_html(page: Page) -> Markup:
    """Fill a page's directives with contact cards from the directory, in the reader's language."""
    directory = content().directory
    card = get_template_attribute("components/service.html", "service_card")
    call = get_template_attribute("components/service.html", "call_link")
    moment = now()
    html = fill_directives(
        page.html,
        lambda sid: card(directory.get(sid), moment),
        lambda sid: call(directory.get(sid)),
    )
    # Keep internal links in the reader's language.
    html = html.replace('href="/', f'href="{request.script_root}/')
    # Sanitised by web.markdown.clean when loaded; the cards are autoescaped templates.
    return Markup(html)  # noqa: S704  # nosec B704


def has_endpoint(name: str) -> bool:
    return name in current_app.view_functions


@bp.app_context_processor
def site_context():
    config = current_app.config
    status = current_app.extensions.get("lantern_translation_status", {})
    links = [("directory.search", _l("Find support")), ("chat.chat", _l("Chat"))]
    return {
        "site_name": config["LANTERN_SITE_NAME"],
        "exit_url": config["LANTERN_EXIT_URL"],
        "emergency": content().directory.get("emergency-999"),
        "translation_reviewed": status.get(current_language(), True),
        "footer_links": [(e, label) for e, label in links if has_endpoint(e)],
    }


def talk_now(audience: str, moment: datetime | None = None) -> list[TalkLine]:
    """Return the lines to call now for an audience: open ones first, closed ones left out."""
    directory = content().directory
    moment = moment or now()
    area = directory.areas.get(current_app.config["LANTERN_AREA"])
    lines = []
    for sid in TALK_NOW.get(audience, ()):
        if sid == FRONT_DOOR:
            if area is None or area.front_door is None:
                continue  # no front door here: the national lines stand in
            contact = area.front_door.contact_now(moment)
            service = directory.get(area.front_door_service_id)
            name = _l("%(area)s children's services", area=area.name)
        else:
            service = directory.services.get(sid)
            contact = service.phone if service else None
            name = service.name if service else ""
        if service is None or contact is None:
            continue
        # The front door's daytime hours are partly assumed (content/areas), so no "open now".
        state = None if sid == FRONT_DOOR else contact.open_now(moment)
        if state is False:
            continue
        chat = next((c for c in service.contacts if c.channel == "webchat"), None)
        if chat is not None and chat.open_now(moment) is False:
            chat = None
        who = str(TALK_FOR.get(sid, "")) if audience == "home" else ""
        lines.append(TalkLine(service, contact, str(name), who, state, chat))
    # Open for sure first; the sort is stable, so otherwise the order above holds.
    return sorted(lines, key=lambda line: line.open_now is not True)


def directory_service(service_id: str) -> Service | None:
    """Return a listing by id, or None (templates name the lines they offer)."""
    return content().directory.services.get(service_id)


def front_door_service() -> Service | None:
    """Return the listing of the home area's children's front door, if it has one."""
    area = content().directory.areas.get(current_app.config["LANTERN_AREA"])
    return directory_service(area.front_door_service_id or "") if area else None


def contact_now(service):
    """Return the number to show for a service now: a front door's open line, else its main one."""
    directory = content().directory
    for area_id in service.areas:
        area = directory.areas.get(area_id)
        if area is not None and area.front_door_service_id == service.id:
            return directory.front_door_now(area_id, now())
    return service.phone or next((c for c in service.contacts if c.is_number), None)


# Phone numbers and times inside data text (e.g. "call 0808 500 2222"): kept left to right even
# inside Urdu and Arabic sentences, so 0800 1111 never reads as 1111 0800.
NUMBER_RUN = re.compile(r"\+?\d[\d :.\u2013-]*\d")


def isolate_numbers(text: str) -> Markup:
    """Escape `text` and wrap each run of digits in a left-to-right isolate."""
    # Matched on the text before escaping, so the digits of "&#39;" are never wrapped.
    parts: list[Markup] = []
    start = 0
    for number in NUMBER_RUN.finditer(text):
        parts.append(escape(text[start : number.start()]))
        parts.append(Markup('<bdi dir="ltr">%s</bdi>') % number.group(0))
        start = number.end()
    parts.append(escape(text[start:]))
    return Markup("").join(parts)


def listing_text(service, name: str) -> Markup:
    """Return a listing's reader-facing field in the reader's language (English if missing)."""
    return isolate_numbers(content().text(current_language(), service, name))


def contact_text(service, index: int, name: str) -> Markup:
    return isolate_numbers(content().contact_text(current_language(), service, index, name))


def publisher(url: str) -> str:
    """Name a source by its site ("thestar.co.uk"), not by its full address."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


@bp.record_once
def _globals(state):
    state.app.jinja_env.filters["publisher"] = publisher
    state.app.jinja_env.globals.update(
        has_endpoint=has_endpoint,
        listing_text=listing_text,
        contact_text=contact_text,
        contact_now=contact_now,
        isolate_numbers=isolate_numbers,
        talk_now=talk_now,
        directory_service=directory_service,
        front_door_service=front_door_service,
    )


@bp.get("/")
@cached_page
def home():
    count_page("home", current_language())
    return render_template("pages/home.html", moment=now(), talk_audience="home")


@bp.get("/<path:page_path>")
@cached_page
def page(page_path: str):
    library = content().pages
    lang = current_language()
    found = library.get(lang, page_path)
    untranslated = False
    if found is None and lang != DEFAULT:
        found = library.get(DEFAULT, page_path)
        untranslated = found is not None
    if found is None:
        abort(404)
    directory = content().directory
    count_page(found.path, lang)
    return render_template(
        "pages/page.html",
        page=found,
        body=render_page_html(found),
        untranslated=untranslated,
        children=library.children(lang, found.section) if found.is_index else [],
        section_page=library.get(lang, found.section) or library.get(DEFAULT, found.section),
        # A service readers cannot reach is no help as a card; its listing says how to reach it.
        services=[s for sid in found.services if (s := directory.get(sid)).reachable],
        moment=now(),
        talk_audience=found.path if found.path in SECTIONS else None,
    )


@bp.route("/exit", methods=["GET", "POST"])
def exit_site():
    """End the session (and any chat) and leave for a neutral site, whatever storage does."""
    store = current_app.extensions.get("lantern_store")
    key = session.get("cid")
    session.clear()
    if store is not None and key:
        # Best effort and bounded (storage.guard): a store that is down forgets it once back.
        # Nothing here may stop the reader leaving, so no failure of any kind is let through.
        try:
            store.forget(f"web:{key}")
        except Exception:
            current_app.logger.warning("exit: the conversation will be deleted later")
    if request.method == "POST":  # the script's beacon: the browser is already leaving
        response = current_app.response_class(status=204)
    else:
        response = redirect(current_app.config["LANTERN_EXIT_URL"], code=303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    # Expire the cookie even when this request brought none the session could see.
    config = current_app.config
    response.delete_cookie(
        config["SESSION_COOKIE_NAME"],
        path=config.get("SESSION_COOKIE_PATH") or config.get("APPLICATION_ROOT") or "/",
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite=config["SESSION_COOKIE_SAMESITE"],
    )
    return response


@bp.get("/favicon.ico")
def favicon():
    """Answer the browsers and tools that ask for an icon without reading the page's link."""
    icon = current_app.extensions.get("lantern_icon")
    if icon is None:
        path = Path(current_app.static_folder or "") / "img" / "icon.svg"
        icon = current_app.extensions["lantern_icon"] = path.read_bytes()
    response = current_app.response_class(icon, mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["SEND_FILE_MAX_AGE_DEFAULT"]
    return response


@bp.get("/healthz")
def healthz():
    """Report each part; 503 only when this instance cannot serve pages.

    A store that is down makes the instance degraded, not dead: quick exit, the 999 replies
    and every page still work, so a balancer must keep sending people here.
    """
    parts = {"pages": "ok" if _pages_ok() else "down"}
    store = current_app.extensions.get("lantern_store")
    if store is not None:
        parts.update(store.health())
    status = "ok" if all(v == "ok" for v in parts.values()) else "degraded"
    if parts["pages"] != "ok":
        status = "down"
    return {"status": status, "parts": parts}, 503 if status == "down" else 200


def _pages_ok() -> bool:
    """Return whether the content is loaded and the home page's template renders."""
    try:
        loaded = content()
        return (
            bool(loaded.pages.pages)
            and current_app.jinja_env.get_template("pages/home.html") is not None
        )
    except Exception:
        current_app.logger.exception("health: pages cannot be served")
        return False
