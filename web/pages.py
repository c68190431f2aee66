"""The home page, the content pages, quick exit and the health check."""

from __future__ import annotations

import re
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

from web.clock import now
from web.content import Page, content
from web.insight import count_page
from web.locale import DEFAULT, current_language
from web.markdown import fill_directives
from web.pagecache import cached_page

bp = Blueprint("pages", __name__)

SECTIONS = ("young-people", "families", "adult-survivors", "professionals")


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
    )


@bp.get("/")
@cached_page
def home():
    count_page("home", current_language())
    return render_template("pages/home.html")


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
    )


@bp.route("/exit", methods=["GET", "POST"])
def exit_site():
    """End the session (and any chat) and leave for a neutral site."""
    store = current_app.extensions.get("lantern_store")
    key = session.get("cid")
    if store is not None and key:
        store.delete_conversation(f"web:{key}")
    session.clear()
    if request.method == "POST":  # the script's beacon: the browser is already leaving
        return ("", 204)
    response = redirect(current_app.config["LANTERN_EXIT_URL"], code=303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
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
    store = current_app.extensions.get("lantern_store")
    ok = store is None or store.ping()
    return ({"status": "ok" if ok else "degraded"}, 200 if ok else 503)
