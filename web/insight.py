"""Counting for the board's insight: one call from each channel and view.

What is counted is a handful of closed-vocabulary values per event (channel, language, route,
area id, hour...), each on its own row of a day's counters; never what anyone typed, their
number, its hash, their address or anything that ties two events together. Counting must never
break or slow a reply: every failure is swallowed and logged without content.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flask import Flask, current_app, request

from directory.hours import is_bank_holiday, to_london
from storage.insight import InsightStore, Tally
from web.clock import now

log = logging.getLogger("lantern.insight")
PAGE_READ = "lantern.insight.page"  # what a kept page counts when the page cache serves it again
OFFICE_HOURS = (9, 17)  # Monday to Friday, 09:00 to 17:00 in London, bank holidays excluded


def init_insight(app: Flask) -> None:
    """Open the counters' table and the in-memory tally that writes to it."""
    url = app.config["DATABASE_URL"]
    store = InsightStore(url)
    app.extensions["lantern_insight"] = Tally(store, app.config["LANTERN_INSIGHT_FLUSH_SECONDS"])


def insight_store(app: Flask | None = None) -> InsightStore:
    """Return the store the counters are written to."""
    return (app or current_app).extensions["lantern_insight"].store


def in_office_hours(moment: datetime) -> bool:
    """Return whether a moment falls in office hours (the report's note says which)."""
    local = to_london(moment)
    start, end = OFFICE_HOURS
    return local.weekday() < 5 and start <= local.hour < end and not is_bank_holiday(local.date())


def _count(metric: str, pairs: Iterable[tuple[str, str]], app: Flask | None = None) -> None:
    try:
        app = app or current_app
        tally = app.extensions.get("lantern_insight")
        if tally is None:  # an app built without insight (some channel tests)
            return
        local = to_london(now(app))
        tally.add(local.date(), metric, [("all", "all"), ("hour", str(local.hour)), *pairs])
    except Exception as exc:
        log.warning("insight: %s not counted (%s)", metric, type(exc).__name__)


def count_reply(channel: str, before: Mapping | None, after: Mapping, reply: Any) -> None:
    """Count a danger reply, and a conversation reaching an answer (once per answer)."""
    try:
        if reply.danger:
            _count("danger", [("channel", channel), *(("kind", k) for k in sorted(reply.danger))])
        if reply.kind != "answer" or (before or {}).get("answer") == reply.route:
            return
        facts = after.get("facts") or {}
        pairs = [
            ("channel", channel),
            ("language", reply.locale),
            ("audience", _audience(facts)),
            ("route", reply.route),
            ("topic", facts.get("topic") or "none"),
            ("area", facts.get("area") or "unknown"),
            *(("danger", k) for k in sorted(reply.danger)),
            *_front_door(facts.get("area"), reply),
        ]
        _count("answer", pairs)
    except Exception as exc:
        log.warning("insight: reply not counted (%s)", type(exc).__name__)


def _audience(facts: Mapping) -> str:
    """Return who is writing; someone who gave an age under 18 is a young person."""
    age = facts.get("age")
    young = isinstance(age, int) and not isinstance(age, bool) and age < 18
    return facts.get("who") or ("young" if young else "unknown")


def count_call(entry: Any, danger: frozenset[str]) -> None:
    """Count a call: danger heard, and a caller put through to a line (the voice answer)."""
    try:
        if danger:
            _count("danger", [("channel", "voice"), *(("kind", k) for k in sorted(danger))])
        if entry is None:
            return
        pairs = [("channel", "voice"), ("language", "en"), ("audience", "unknown")]
        pairs.append(("route", f"voice-{entry.service or 'front-door'}"))
        pairs += [("topic", "none"), *(("danger", k) for k in sorted(danger))]
        if entry.front_door:
            directory = current_app.extensions["lantern"].directory
            area = current_app.config.get("LANTERN_VOICE_AREA") or None
            area = area if area in directory.areas else None
            contact = directory.front_door_now(area, now())
            hours = "in-hours" if in_office_hours(now()) else "out-of-hours"
            pairs += [("area", area or "unknown"), ("front_door", f"{contact.display}|{hours}")]
        else:
            pairs.append(("area", "unknown"))
        _count("answer", pairs)
    except Exception as exc:
        log.warning("insight: call not counted (%s)", type(exc).__name__)


def _front_door(area_id: str | None, reply: Any) -> list[tuple[str, str]]:
    """Say which front-door number the reply gave, in or out of office hours, and which line."""
    directory = current_app.extensions["lantern"].directory
    area = directory.areas.get(area_id) if area_id else None
    door = area.front_door if area is not None else None
    ids = {"front-door", area.front_door_service_id if area is not None else None}
    for line in reply.all_lines:
        if line.service in ids and line.contact is not None:
            hours = "in-hours" if in_office_hours(now()) else "out-of-hours"
            if door is None:
                line_kind = "national"
            elif line.contact is door.any_time:
                line_kind = "any-time"
            elif line.contact is door.in_hours:
                line_kind = "open"
            else:
                line_kind = "closed"
            return [("front_door", f"{line.contact.display}|{hours}"), ("door", line_kind)]
    return []


def count_search(results: Any, filters: Any, need: str, language: str) -> None:
    """Count a search: whether it found anything and, when not, the need read into it."""
    pairs = [("language", language), ("result", "none" if results.empty else "found")]
    if results.empty:
        pairs.append(("need", need))
    if filters.audience:
        pairs.append(("audience", filters.audience))
    if filters.area:
        pairs.append(("area", filters.area))
    _count("search", pairs)


def count_page(path: str, language: str) -> None:
    """Count a page read; the page cache counts it again each time it serves the kept copy."""
    try:
        request.environ[PAGE_READ] = (path, language)
    except RuntimeError:
        return
    _count("page", [("page", path), ("language", language)])


def count_kept_page(app: Flask, kept: tuple[str, str] | None) -> None:
    """Count a page the page cache served without running its view."""
    if kept:
        _count("page", [("page", kept[0]), ("language", kept[1])], app)


def count_feedback(path: str, helpful: bool) -> None:
    """Count one answer to "was this page helpful?"."""
    _count("feedback", [("page", f"{path}|{'yes' if helpful else 'no'}")])
