"""Find support: the directory search page, listing pages and the Open Referral UK API."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from chatbot.engine import places_for
from directory import AUDIENCES, CATEGORIES, CHANNELS, Service
from directory.openreferral import service_page, service_record, service_summary, service_uuid
from directory.search import Filters
from web import needs
from web.content import content
from web.insight import count_search
from web.limits import limit
from web.locale import babel_locale, current_language
from web.pagecache import cached_page
from web.pages import now

bp = Blueprint("directory", __name__)

PER_PAGE = 10
API_PER_PAGE, API_MAX_PER_PAGE = 20, 100
MAX_QUERY = 200  # characters; longer queries are cut, never stored or logged

# Reader-facing names of the directory's vocabularies, for the catalogues.
AUDIENCE_LABELS: Mapping[str, str] = {
    "young-people": _l("Young people"),
    "families": _l("Families and carers"),
    "adult-survivors": _l("Adult survivors"),
    "professionals": _l("Professionals"),
}
CATEGORY_LABELS: Mapping[str, str] = {
    "helpline": _l("Helplines"),
    "crisis": _l("Crisis and suicide"),
    "counselling": _l("Counselling"),
    "sexual-violence": _l("Sexual violence and abuse"),
    "online-safety": _l("Online safety"),
    "missing": _l("Missing and runaway"),
    "police-reporting": _l("Police and reporting"),
    "domestic-abuse": _l("Domestic abuse"),
    "mental-health": _l("Mental health"),
    "prevention": _l("Prevention"),
    "advocacy": _l("Advocacy and support"),
    "local-authority": _l("Council and children's services"),
}
CHANNEL_LABELS: Mapping[str, str] = {
    "phone": _l("Phone"),
    "text": _l("Text message"),
    "webchat": _l("Web chat"),
    "email": _l("Email"),
    "form": _l("Online form"),
    "website": _l("Website"),
    "in_person": _l("In person"),
    "bsl": _l("British Sign Language"),
}
# Languages offered in the filter: the site's own, plus Welsh, which some lines speak.
FILTER_LANGUAGES = ("en", "cy", "ur", "ar", "pl", "sk", "cs", "ro")
assert set(AUDIENCE_LABELS) == set(AUDIENCES)
assert set(CATEGORY_LABELS) == set(CATEGORIES)
assert set(CHANNEL_LABELS) == set(CHANNELS)


@lru_cache(maxsize=256)
def _language_name(code: str, locale: str) -> str:
    try:
        return Locale.parse(code).get_display_name(locale) or code
    except (UnknownLocaleError, ValueError):
        return code


def language_name(code: str) -> str:
    """Return a language's name in the reader's language."""
    return _language_name(code, babel_locale())


def _choice(name: str, allowed) -> str | None:
    value = request.args.get(name, "").strip()
    return value if value in allowed else None


def _flag(name: str) -> bool:
    return request.args.get(name, "") in ("1", "true", "on", "yes")


def _number(name: str, default: int, highest: int) -> int:
    try:
        return max(1, min(int(request.args.get(name, default)), highest))
    except ValueError:
        return default


def _filters() -> tuple[Filters, str | None]:
    """Read the filters from the query string; unknown values are ignored, not errors."""
    directory = content().directory
    area = _choice("area", directory.areas)
    place = request.args.get("place", "").strip()[:MAX_QUERY]
    if place and area is None:
        found = directory.area_for_place(place)
        area = found.id if found else None
    filters = Filters(
        audience=_choice("audience", AUDIENCES),
        category=_choice("category", CATEGORIES),
        area=area,
        channel=_choice("channel", CHANNELS),
        language=_choice("language", FILTER_LANGUAGES),
        open_now=_flag("open_now"),
        free=_flag("free"),
        always_open=_flag("always_open"),
    )
    return filters, place or None


@bp.app_template_global()
def directory_labels() -> dict[str, Mapping[str, str]]:
    """Give templates the translated names of audiences, categories and channels."""
    return {"audience": AUDIENCE_LABELS, "category": CATEGORY_LABELS, "channel": CHANNEL_LABELS}


@bp.get("/services")
@limit("search")
@cached_page
def search():
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    filters, place = _filters()
    page = _number("page", 1, 1000)
    moment = now()
    loaded = content()
    rules = current_app.extensions.get("lantern_needs")
    if rules is not None:  # read the sentence for needs: crisis lines, talk now, own area
        results, _ = needs.search(
            loaded.search,
            loaded.flow,
            rules,
            query,
            filters,
            now=moment,
            page=page,
            per_page=PER_PAGE,
            lang=current_language(),
            home_area=current_app.config.get("LANTERN_AREA"),
            places=places_for(loaded.directory),
        )
    else:
        results = loaded.search.search(
            query, filters, now=moment, page=page, per_page=PER_PAGE, lang=current_language()
        )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    if page == 1 and (query or filters.services_only):
        count_search(results, filters, _need(query, filters, results), current_language())
    return render_template(
        "directory/search.html",
        query=query,
        filters=filters,
        place=place,
        place_unknown=bool(place) and filters.area is None,
        results=results,
        moment=moment,
        # The reader's own area (and one they chose): others are reached by typing a place.
        areas=[
            a
            for a in sorted(loaded.directory.areas.values(), key=lambda a: a.name)
            if a.id in (current_app.config.get("LANTERN_AREA"), filters.area)
        ],
        languages=[(code, language_name(code)) for code in FILTER_LANGUAGES],
        page_url=lambda number: url_for("directory.search", **args, page=number),
        searched=bool(query) or filters.services_only,
    )


def _need(query: str, filters: Filters, results) -> str:
    """Return the need read into a search that found nothing: a category, never its words."""
    if not results.empty:
        return ""
    if filters.category:
        return filters.category
    read = content().search.suggest_categories(query, limit=1, pad=False) if query else ()
    return read[0] if read else "unknown"


@bp.get("/services/<service_id>")
@cached_page
def listing(service_id: str):
    directory = content().directory
    service = directory.services.get(service_id)
    if service is None:
        abort(404)
    areas = [directory.areas[a] for a in service.areas if a in directory.areas]
    return render_template(
        "directory/listing.html",
        service=service,
        areas=areas,
        moment=now(),
        languages=[language_name(code) for code in service.languages],
    )


# Open Referral UK API: read-only, no key, readable from any site.


def _api_service(service_id: str) -> Service | None:
    """Find a listing by its own id or by its Open Referral UUID."""
    services = content().directory.services
    if service_id in services:
        return services[service_id]
    extensions = current_app.extensions
    ids = extensions.get("lantern_oruk_ids")
    if ids is None:  # built once per app: a UUID is a hash, so it cannot be reversed
        ids = extensions["lantern_oruk_ids"] = {service_uuid(i): i for i in services}
    found = ids.get(service_id)
    return services.get(found) if found else None


@bp.after_request
def _cors(response):
    if request.path.startswith("/api/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/api/services")
@limit("search")
def api_services():
    query = request.args.get("search", "").strip()[:MAX_QUERY]
    filters, _ = _filters()
    page = _number("page", 1, 100_000)
    per_page = _number("per_page", API_PER_PAGE, API_MAX_PER_PAGE)
    results = content().search.search(
        query, filters, now=now(), page=page, per_page=per_page, pages=False
    )
    items = [service_summary(hit.service) for hit in results.hits if hit.service is not None]
    return jsonify(service_page(items, total=results.total, page=page, per_page=per_page))


@bp.get("/api/services/<service_id>")
def api_service(service_id: str):
    service = _api_service(service_id)
    if service is None:
        return jsonify({"error": "not found"}), 404
    return jsonify(service_record(service, content().directory))
