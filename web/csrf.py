"""CSRF protection that needs no cookie.

Each form carries a signed, timestamped token naming the form (and the chat conversation, when
there is one). A POST must bring a valid token, and a browser that tells us where the request came
from (Sec-Fetch-Site) must say it came from this site. Pages with a form therefore set no cookie.
"""

from __future__ import annotations

from flask import Flask, abort, current_app, request, session
from itsdangerous import BadData, URLSafeTimedSerializer

MAX_AGE = 4 * 60 * 60
ALLOWED_SITES = frozenset({"same-origin", "none"})
FIELD = "csrf_token"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="lantern-csrf")


def _binding(form: str) -> str:
    binding = f"{form}:{session.get('cid', '')}"
    staff = session.get("staff_sid")
    # A staff form's token is good for one signed-in session only.
    return f"{binding}:{staff}" if staff else binding


def csrf_token(form: str) -> str:
    """Return a token for the form named `form`."""
    return _serializer().dumps(_binding(form))


def verify(form: str) -> None:
    """Abort with 400 unless this POST carries a valid token for `form` from this site."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ALLOWED_SITES:
        abort(400)
    token = request.form.get(FIELD, "")
    try:
        value = _serializer().loads(token, max_age=MAX_AGE)
    except BadData:
        abort(400)
    if value != _binding(form):
        abort(400)


def init_csrf(app: Flask) -> None:
    app.jinja_env.globals["csrf_token"] = csrf_token
