"""Staff views: sign-in, the review queue, the listing editor, checks, approvals and the audit."""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_login import current_user

from directory import DirectoryError
from directory.model import CHECK_METHODS, CHECK_RESULTS
from web.clock import now
from web.content import content
from web.csrf import verify
from web.limits import limit
from web.locale import DEFAULT, ENVIRON_KEY, LANGUAGES, is_rtl
from web.staff import publishing
from web.staff.auth import (
    check_password,
    check_second_factor,
    pending_user,
    require_role,
    sign_in,
    sign_out,
    staff_store,
    start_pending,
)

bp = Blueprint("staff", __name__, url_prefix="/staff")
log = logging.getLogger("lantern.staff")

EDITORS = ("curator", "reviewer", "administrator")
REVIEWERS = ("reviewer", "administrator")
EVERYONE = ("curator", "reviewer", "administrator", "board")


def _content_dir() -> Path:
    return Path(current_app.config["LANTERN_CONTENT_DIR"])


def _actor() -> str:
    return current_user.user.email


# -- signing in ------------------------------------------------------------------------------


@bp.route("/sign-in", methods=["GET", "POST"], endpoint="sign_in")
@limit("staff")
def sign_in_page():
    error = ""
    if request.method == "POST":
        verify("staff-sign-in")
        user, reason = check_password(
            request.form.get("email", "")[:200], request.form.get("password", "")[:1000]
        )
        if user is not None:
            start_pending(user)
            return redirect(url_for("staff.second_factor"))
        log.info("staff sign-in refused: %s", reason)  # never the email or the password
        error = "That email and password did not match, or the account is locked for now."
    return render_template("staff/sign_in.html", error=error), 401 if error else 200


@bp.route("/second-factor", methods=["GET", "POST"])
@limit("staff")
def second_factor():
    user = pending_user()
    if user is None:
        return redirect(url_for("staff.sign_in"))
    error = ""
    if request.method == "POST":
        verify("staff-second-factor")
        if check_second_factor(user, request.form.get("code", "")[:40]):
            sign_in(user)
            return redirect(url_for("staff.home"))
        error = "That code did not work. Use the current code from your app, or a recovery code."
    return render_template("staff/second_factor.html", error=error), 401 if error else 200


@bp.post("/sign-out")
def sign_out_page():
    verify("staff-sign-out")
    sign_out()
    return redirect(url_for("staff.sign_in"))


# -- the queue -------------------------------------------------------------------------------


@bp.get("/")
@require_role(*EVERYONE)
def home():
    directory = content().directory
    today = now().date()
    queue = [
        (service, service.due_on(), service.needs_check(today))
        for service in directory.review_queue()
    ]
    pending = staff_store().changes("pending")
    return render_template("staff/home.html", queue=queue, pending=pending, today=today)


def _key_for(service_id: str) -> str:
    """Return the document key a listing is edited through: a front door edits its area."""
    directory = content().directory
    for area in directory.areas.values():
        if area.front_door_service_id == service_id:
            return f"area:{area.id}"
    return f"service:{service_id}"


@bp.get("/listings/<service_id>")
@require_role(*EVERYONE)
def listing(service_id: str):
    service = content().directory.services.get(service_id)
    if service is None:
        abort(404)
    return redirect(url_for("staff.edit", key=_key_for(service_id)))


@bp.route("/edit/<key>", methods=["GET", "POST"])
@require_role(*EDITORS)
def edit(key: str):
    documents = publishing.current_documents(_content_dir(), staff_store())
    kind = key.partition(":")[0]
    if kind not in publishing.KINDS:
        abort(404)
    if key not in documents and request.method == "GET" and key != "service:new":
        abort(404)
    text = publishing.dump(documents[key]) if key in documents else ""
    why = ""
    error = None
    preview = None
    if request.method == "POST":
        verify("staff-edit")
        text = request.form.get("document", "")[:20000]
        why = request.form.get("why", "").strip()[:500]
        try:
            document = publishing.parse(text, key)
            if key == "service:new":
                key = f"service:{document.get('id', '')}"
                if key in documents:
                    raise DirectoryError(key, "id", "is taken by another listing")
            directory = publishing.validate(_content_dir(), staff_store(), {key: document})
            if request.form.get("action") == "preview":
                preview = _preview(directory, key)
            elif not why:
                error = "Say why you are making this change: it is kept with the change."
            else:
                change = publishing.propose(
                    _content_dir(), staff_store(), key, document, why, _actor()
                )
                if change.status == "published":
                    flash("Published.")
                else:
                    flash("Saved for review: a reviewer must approve this before it is published.")
                return redirect(url_for("staff.change", change_id=change.id))
        except DirectoryError as problem:
            error = f"{problem.field}: {problem.message}"
    choices = publishing.contact_choices(documents[key], kind) if key in documents else []
    return render_template(
        "staff/edit.html",
        translations=_translations(key),
        key=key,
        text=text,
        why=why,
        error=error,
        preview=preview,
        choices=choices,
        methods=CHECK_METHODS,
        results=CHECK_RESULTS,
    )


def _translations(key: str) -> list[tuple[str, str, bool, str]]:
    """Return each language's translated fields of a listing, as YAML, to read beside the
    English (they live in content/i18n and change with the catalogues)."""
    kind, _, item_id = key.partition(":")
    loaded = content()
    by_lang = loaded.areas_i18n if kind == "area" else loaded.services_i18n
    out = []
    for code, name in LANGUAGES.items():
        fields = by_lang.get(code, {}).get(item_id)
        if fields:
            out.append((code, name, is_rtl(code), publishing.dump(fields)))
    return out


def _preview(directory, key: str):
    """Render the public card of the edited listing, from the edited directory."""
    kind, _, item_id = key.partition(":")
    if kind == "area":
        area = directory.areas[item_id]
        service_id = area.front_door_service_id
        if service_id is None:
            return None
    else:
        service_id = item_id
    card = get_template_attribute("components/service.html", "service_card")
    service = directory.services[service_id]
    previews = []
    english = request.environ.get(ENVIRON_KEY)
    try:
        for code, name in LANGUAGES.items():
            # Render as a reader of that language would see it: their words, dates and numbers.
            request.environ[ENVIRON_KEY] = code
            with force_locale("en_GB" if code == DEFAULT else code):
                previews.append((code, name, is_rtl(code), card(service, now(), "h4")))
    finally:
        request.environ[ENVIRON_KEY] = english or DEFAULT
    return previews


@bp.post("/edit/<key>/check")
@require_role(*EDITORS)
def record_check(key: str):
    verify("staff-check")
    documents = publishing.current_documents(_content_dir(), staff_store())
    if key not in documents:
        abort(404)
    method = request.form.get("method", "")
    result = request.form.get("result", "")
    if method not in CHECK_METHODS or result not in CHECK_RESULTS:
        abort(400)
    try:
        contact = int(request.form.get("contact", "0"))
    except ValueError:
        abort(400)
    new_number = request.form.get("new_number", "").strip()[:100]
    if result == "changed" and not new_number:
        flash("Give the new number or address the check found.")
        return redirect(url_for("staff.edit", key=key))
    try:
        change = publishing.record_check(
            _content_dir(),
            staff_store(),
            key,
            _actor(),
            now().date(),
            method,
            result,
            request.form.get("note", "").strip()[:300],
            contact,
            new_number,
        )
    except (DirectoryError, IndexError) as problem:
        flash(f"The check could not be recorded: {problem}")
        return redirect(url_for("staff.edit", key=key))
    flash(
        "Check recorded."
        if change.status == "published"
        else "Check recorded; the new number waits for a reviewer."
    )
    return redirect(url_for("staff.change", change_id=change.id))


# -- review ----------------------------------------------------------------------------------


@bp.get("/changes")
@require_role(*EVERYONE)
def changes():
    return render_template("staff/changes.html", changes=list(reversed(staff_store().changes())))


@bp.get("/changes/<int:change_id>")
@require_role(*EVERYONE)
def change(change_id: int):
    found = staff_store().change(change_id)
    if found is None:
        abort(404)
    import difflib

    diff = list(
        difflib.unified_diff(
            found.before.splitlines(), found.after.splitlines(), "before", "after", lineterm=""
        )
    )
    return render_template("staff/change.html", change=found, diff=diff)


@bp.post("/changes/<int:change_id>/approve")
@require_role(*REVIEWERS)
def approve(change_id: int):
    verify("staff-review")
    try:
        publishing.approve(_content_dir(), staff_store(), change_id, _actor())
    except publishing.ReviewError as problem:
        flash(str(problem))
        return change(change_id), 409  # the change page again, saying why, with a refusal
    flash("Approved and published.")
    return redirect(url_for("staff.change", change_id=change_id))


@bp.post("/changes/<int:change_id>/reject")
@require_role(*REVIEWERS)
def reject(change_id: int):
    verify("staff-review")
    try:
        publishing.reject(staff_store(), change_id, _actor(), request.form.get("why", "")[:500])
    except publishing.ReviewError as problem:
        flash(str(problem))
    return redirect(url_for("staff.change", change_id=change_id))


# -- audit and accounts ----------------------------------------------------------------------


@bp.get("/audit")
@require_role("reviewer", "administrator")
def audit():
    return render_template("staff/audit.html", entries=staff_store().audit_log(500))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def neutralise(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


@bp.get("/audit.csv")
@require_role("reviewer", "administrator")
def audit_csv():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "when", "who", "action", "listing", "before", "after", "why"])
    for entry in reversed(staff_store().audit_log()):
        writer.writerow(
            [
                entry.id,
                entry.at,
                *(
                    neutralise(v)
                    for v in (
                        entry.actor,
                        entry.action,
                        entry.target,
                        entry.before,
                        entry.after,
                        entry.why,
                    )
                ),
            ]
        )
    staff_store().audit(_actor(), "exported audit", "audit.csv")
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=lantern-audit.csv"},
    )


@bp.get("/accounts")
@require_role("administrator")
def accounts():
    return render_template("staff/accounts.html", users=staff_store().users())


@bp.post("/accounts/<int:user_id>")
@require_role("administrator")
def account_update(user_id: int):
    """Disable, enable or unlock an account. Accounts are created only by `flask staff add`."""
    verify("staff-accounts")
    store = staff_store()
    user = store.user_by_id(user_id)
    if user is None:
        abort(404)
    action = request.form.get("action")
    if action == "disable":
        store.set_active(user_id, False)
    elif action == "enable":
        store.set_active(user_id, True)
    elif action == "unlock":
        store.clear_failures(user_id)
    else:
        abort(400)
    store.audit(_actor(), f"account {action}", f"staff:{user.email}")
    return redirect(url_for("staff.accounts"))
