"""/staff/insight: what people asked for, when and in which language, for the board.

Counts only, suppressed: every number shown here has been through web.staff.figures. The page is
in the staff member's language (/<lang>/staff/insight), its charts are server-drawn SVG with the
numbers in a table beside each, and it needs no script.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import click
from babel import Locale, UnknownLocaleError
from babel.dates import get_day_names
from flask import Blueprint, abort, render_template, request
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from directory.hours import to_london
from web.clock import now
from web.content import content
from web.directory import CATEGORY_LABELS
from web.insight import insight_store
from web.locale import babel_locale, current_language
from web.staff.auth import require_role
from web.staff.figures import (
    Counts,
    Quarter,
    Table,
    compare,
    hour_by_weekday,
    split,
    weekly,
)

bp = Blueprint("insight", __name__, url_prefix="/staff/insight")
BOARD = ("board", "administrator")

AUDIENCE_LABELS: Mapping[str, str] = {
    "young": _l("A young person"),
    "worried": _l("Someone worried about a child"),
    "survivor": _l("An adult survivor"),
    "professional": _l("A professional"),
    "other": _l("Someone else"),
    "unknown": _l("Not said"),
}
CHANNEL_LABELS: Mapping[str, str] = {
    "sms": _l("Text message"),
    "chat": _l("Web chat"),
    "voice": _l("Phone call"),
}
DANGER_LABELS: Mapping[str, str] = {
    "now": _l("In danger now"),
    "suicide": _l("Thoughts of suicide"),
}
HOURS_LABELS: Mapping[str, str] = {
    "in-hours": _l("In office hours"),
    "out-of-hours": _l("Out of office hours"),
}
FEEDBACK_LABELS: Mapping[str, str] = {"no": _l("Not helpful"), "yes": _l("Helpful")}
NEED_LABELS: Mapping[str, str] = {**CATEGORY_LABELS, "unknown": _l("Need not recognised")}


@dataclass(frozen=True)
class Figure:
    """One chart and its table: what it shows, the suppressed numbers and their labels."""

    key: str
    title: str
    description: str
    table: Table
    labels: Mapping[str, str]
    columns: Mapping[str, str]
    chart: str  # "bars" (quarter against quarter), "weeks", "hours", "split"


def _language_labels(codes, locale: str) -> dict[str, str]:
    labels = {}
    for code in codes:
        try:
            labels[code] = Locale.parse(code).get_display_name(locale) or code
        except (UnknownLocaleError, ValueError):
            labels[code] = code
    return labels


def _page_labels(paths, lang: str) -> dict[str, str]:
    pages = content().pages
    labels = {}
    for path in paths:
        page = pages.get(lang, path) or pages.get("en", path)
        labels[path] = page.title if page is not None else path
    return labels


def figures(quarter: Quarter, locale: str, lang: str) -> list[Figure]:
    """Return the board's figures for a quarter against the one before, suppressed."""
    store = insight_store()
    before = quarter.previous()
    rows = store.counts(before.start, quarter.end)
    this, last = Counts(quarter, rows), Counts(before, rows)
    periods = {str(quarter): str(quarter), str(before): str(before)}
    days = get_day_names("abbreviated", locale=locale)
    weekdays = {str(d): days[d] for d in range(7)}
    hours = {str(h): f"{h:02d}" for h in range(24)}
    answers = compare("answers", "answer", "all", this, last)
    audience = compare("audience", "answer", "audience", this, last, tuple(AUDIENCE_LABELS))
    channel = compare("channel", "answer", "channel", this, last, tuple(CHANNEL_LABELS))
    language = compare("language", "answer", "language", this, last)
    danger = compare("danger", "danger", "kind", this, last, tuple(DANGER_LABELS))
    needs = compare("needs", "search", "need", this, last)
    front = split(this, "answer", "front_door", tuple(HOURS_LABELS), "front-door")
    unhelpful = split(this, "feedback", "page", ("no", "yes"), "feedback")
    return [
        Figure(
            "answers",
            _l("People who reached an answer"),
            _l("Conversations that reached an answer, by text, web chat or phone."),
            answers,
            {"all": _l("Total")},
            periods,
            "bars",
        ),
        Figure(
            "audience",
            _l("Who was writing"),
            _l("People who reached an answer, by who they said was writing."),
            audience,
            AUDIENCE_LABELS,
            periods,
            "bars",
        ),
        Figure(
            "channel",
            _l("How they reached us"),
            _l("People who reached an answer, by channel."),
            channel,
            CHANNEL_LABELS,
            periods,
            "bars",
        ),
        Figure(
            "language",
            _l("In which language"),
            _l("People who reached an answer, by the language of the conversation."),
            language,
            _language_labels(language.rows, locale),
            periods,
            "bars",
        ),
        Figure(
            "danger",
            _l("Danger replies"),
            _l("Replies that led with 999 because a message spoke of danger, by kind."),
            danger,
            DANGER_LABELS,
            periods,
            "bars",
        ),
        Figure(
            "weeks",
            _l("Week by week"),
            _l("People who reached an answer each week of this quarter (weeks begin on Monday)."),
            weekly(this),
            {w.isoformat(): format_date(w, "d MMM") for w in quarter.weeks()},
            {"n": _l("Number")},
            "weeks",
        ),
        Figure(
            "hours",
            _l("When people come"),
            _l("Answers by weekday and hour (London time), added up over the whole quarter."),
            hour_by_weekday(this),
            hours,
            weekdays,
            "hours",
        ),
        Figure(
            "front-door",
            _l("Which front-door number was given"),
            _l(
                "Children's front-door numbers given in answers this quarter, in office hours "
                "(Monday to Friday, 9am to 5pm, not bank holidays) and out of them."
            ),
            front,
            {},
            HOURS_LABELS,
            "split",
        ),
        Figure(
            "needs",
            _l("Needs that found nothing"),
            _l(
                "Searches of the directory that found nothing, by the need read into them "
                "(never the words typed): what the directory lacks."
            ),
            needs,
            {k: NEED_LABELS.get(k, k) for k in needs.rows},
            periods,
            "bars",
        ),
        Figure(
            "feedback",
            _l("Pages people found unhelpful"),
            _l("Answers to “Was this page helpful?” this quarter, by page."),
            unhelpful,
            _page_labels(unhelpful.rows, lang),
            FEEDBACK_LABELS,
            "split",
        ),
    ]


def current_quarter() -> Quarter:
    return Quarter.of(to_london(now()).date())


@bp.get("/")
@require_role(*BOARD)
def insight():
    quarter = current_quarter()
    asked = request.args.get("quarter", "")
    if asked:
        try:
            quarter = Quarter.parse(asked)
        except ValueError:
            abort(404)
    lang = current_language()
    choices = [quarter.next(), quarter, quarter.previous(), quarter.previous().previous()]
    return render_template(
        "staff/insight.html",
        quarter=quarter,
        before=quarter.previous(),
        figures=figures(quarter, babel_locale(), lang),
        choices=[q for q in choices if q.start <= current_quarter().start],
    )


@bp.cli.command("report")
@click.option("--quarter", "name", required=True, help="The quarter, such as 2026Q4.")
@click.option(
    "--out",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write lantern-insight-<quarter>.pdf and .csv into.",
)
def report_command(name: str, out: Path) -> None:
    """Write a quarter's insight report for the board, as PDF and CSV, suppressed."""
    from web.staff.report import write_report

    try:
        quarter = Quarter.parse(name)
    except ValueError as problem:
        raise click.BadParameter(str(problem), param_hint="--quarter") from problem
    for path in write_report(quarter, out):
        click.echo(f"wrote {path}")
