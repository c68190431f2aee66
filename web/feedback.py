"""Was this page helpful? and problem reports on listings: stored without anything identifying."""

from __future__ import annotations

import csv
import sys
from datetime import UTC, datetime

import bleach
from flask import Blueprint, abort, current_app, redirect, request, url_for

from storage import Feedback
from web import csrf
from web.content import content
from web.insight import count_feedback
from web.limits import limit

bp = Blueprint("feedback", __name__)

MAX_COMMENT = 500


def _target_url(kind: str, target: str) -> str | None:
    """Return where to send the reader back to, or None when the target is unknown."""
    if kind == "page" and target == "home":
        return url_for("pages.home")
    if kind == "page" and any(path == target for _, path in content().pages.pages):
        return url_for("pages.page", page_path=target)
    if kind == "listing" and target in content().directory.services:
        return url_for("directory.listing", service_id=target)
    return None


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
    store = current_app.extensions["lantern_store"]
    store.add_feedback(Feedback(kind, target, helpful, comment, datetime.now(UTC).date()))
    if kind == "page" and helpful is not None:
        count_feedback(target, helpful)
    return redirect(f"{back}?feedback=thanks#feedback", code=303)


@bp.cli.command("export")
def export():
    """Write all feedback as CSV to standard output."""
    writer = csv.writer(sys.stdout)
    writer.writerow(["date", "kind", "target", "helpful", "comment"])
    for item in current_app.extensions["lantern_store"].list_feedback():
        helpful = "" if item.helpful is None else ("yes" if item.helpful else "no")
        writer.writerow([item.created.isoformat(), item.kind, item.target, helpful, item.comment])
