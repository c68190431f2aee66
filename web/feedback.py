"""Was this page helpful? and problem reports on listings: stored without anything identifying."""

from __future__ import annotations

import csv
import sys

import bleach
from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for

from chatbot import read
from storage import Feedback, StorageUnavailable
from web import csrf
from web.clock import now
from web.content import content
from web.insight import count_feedback
from web.limits import limit

bp = Blueprint("feedback", __name__)

MAX_COMMENT = 500
# What a comment may need, read by the triage reader, and the lines the next page offers for it
# (site/templates/components/feedback_help.html). The 999 line always comes first.
NEEDS = ("danger", "suicide", "young", "worried", "survivor", "thoughts", "any")
NEED_FOR_WHO = {
    "young": "young",
    "worried": "worried",
    "professional": "worried",
    "survivor": "survivor",
    "accused": "thoughts",
    "other": "thoughts",
}


def comment_need(comment: str) -> str:
    """Return what a comment may need: danger first, then who is writing, else "any".

    Nobody reads comments straight away, so every comment gets help on the next page; the
    reader only decides which lines lead. Its "unsure" (danger_kinds' {"now"} when not sure)
    is not used: it fires on ordinary feedback ("links broken"), and the 999 line leads every
    help box anyway.
    """
    flow = content().flow
    reading = read(flow, comment)
    kinds = reading.danger
    if "suicide" in kinds:
        return "suicide"
    if kinds:
        return "danger"
    if reading.topic == "thoughts":
        return "thoughts"
    return NEED_FOR_WHO.get(reading.who or "", "any")


def _target_url(kind: str, target: str) -> str | None:
    """Return where to send the reader back to, or None when the target is unknown."""
    if kind == "page" and target == "home":
        return url_for("pages.home")
    if kind == "page" and any(path == target for _, path in content().pages.pages):
        return url_for("pages.page", page_path=target)
    if kind == "listing" and target in content().directory.services:
        return url_for("directory.listing", service_id=target)
    return None


@bp.app_template_global()
def feedback_need() -> str | None:
    """Return the need the comment just sent showed, read back from the address."""
    if getattr(g, "feedback_need", None):
        return g.feedback_need
    if request.args.get("feedback") != "sent":
        return None
    code = request.args.get("n", "")
    return NEEDS[int(code)] if code.isdigit() and int(code) < len(NEEDS) else "any"


def clean_comment(text: str) -> str:
    """Return the comment as plain text: no markup, no control characters, at most 500 chars."""
    text = bleach.clean(text, tags=set(), strip=True)
    text = "".join(ch for ch in text if ch.isprintable() or ch in "\n ")
    return text.strip()[:MAX_COMMENT]


@bp.post("/feedback")
@limit("feedback")
def submit():
    kind = request.form.get("kind", "page")
    target = request.form.get("target", "")
    back = _target_url(kind, target) if kind in ("page", "listing") else None
    if back is None:
        abort(400)
    csrf.verify("feedback")
    answer = request.form.get("helpful")
    helpful = {"yes": True, "no": False}.get(answer)
    comment = clean_comment(request.form.get("comment", ""))
    if helpful is None and not comment:
        return redirect(f"{back}?feedback=empty#feedback", code=303)
    # Read before storing, so that help never depends on the store.
    need = comment_need(comment) if comment else None
    store = current_app.extensions["lantern_store"]
    if kind == "page" and helpful is not None:
        count_feedback(target, helpful)
    try:
        store.add_feedback(Feedback(kind, target, helpful, comment, now().date()))
    except StorageUnavailable:
        # Say so, and hand back what was typed: never a silent loss, never an error page. Help
        # for what the comment showed opens the page all the same.
        g.feedback_need = need
        page = render_template(
            "feedback/retry.html",
            kind=kind,
            target=target,
            helpful=answer if helpful is not None else "",
            comment=comment,
            back=back,
        )
        return page, 503, {"Retry-After": "60"}
    if need is not None:
        # Anyone who writes may be telling us something: the next page opens with help. The
        # address says only a number, as it stays in the browser's history list.
        return redirect(f"{back}?feedback=sent&n={NEEDS.index(need)}#help-now", code=303)
    return redirect(f"{back}?feedback=thanks#feedback", code=303)


# What makes a spreadsheet read a cell as a formula (OWASP "CSV Injection"), including the
# full-width forms some spreadsheets accept; tab and carriage return hide one behind them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_safe(cell: str) -> str:
    """Return the cell so that no spreadsheet runs it: a leading quote makes it plain text."""
    if cell.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


@bp.cli.command("export")
def export():
    """Write all feedback as CSV to standard output."""
    writer = csv.writer(sys.stdout)
    writer.writerow(["date", "kind", "target", "helpful", "comment"])
    for item in current_app.extensions["lantern_store"].list_feedback():
        helpful = "" if item.helpful is None else ("yes" if item.helpful else "no")
        row = [item.created.isoformat(), item.kind, item.target, helpful, item.comment]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
