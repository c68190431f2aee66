"""What the channels share: the clock, the store, keyed hashes, translation, Twilio checks."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

from flask import abort, current_app, request
from flask_babel import force_locale, gettext
from twilio.request_validator import RequestValidator

from chatbot import Reply, step
from web.clock import now

IDLE_SECONDS = 30 * 60  # a conversation is forgotten after 30 idle minutes
RETRY_SECONDS = 24 * 60 * 60  # how long a Twilio MessageSid is remembered for retries


def store() -> Any:
    return current_app.extensions["lantern_store"]


def content() -> Any:
    return current_app.extensions["lantern"]


def keyed_hash(kind: str, value: str) -> str:
    """Return a key for `value` that cannot be turned back into it without the HMAC key."""
    secret = str(current_app.config["LANTERN_HMAC_KEY"]).encode()
    digest = hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest}"


def translate(msgid: str, locale: str) -> str:
    """Translate a flow prompt through the site's catalogues."""
    with force_locale(locale):
        return gettext(msgid)


def run(state: dict | None, text: str, locale: str) -> tuple[dict, Reply]:
    """Call the engine with the loaded flow and directory, now."""
    loaded = content()
    new_state, reply = step(
        state,
        text,
        locale,
        now(),
        directory=loaded.directory,
        flow=loaded.flow,
        translate=translate,
    )
    return new_state.to_dict(), reply


def require_twilio_signature() -> None:
    """Abort with 403 unless Twilio signed this request for the URL the app sees."""
    token = current_app.config.get("TWILIO_AUTH_TOKEN") or ""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        abort(403)
    params = request.form.to_dict(flat=True)
    if not RequestValidator(token).validate(request.url, params, signature):
        abort(403)


def log_reply(channel: str, key: str, reply: Reply, started: datetime) -> None:
    """Log ids, locale, route and timing: never the message or the number."""
    took = (now() - started).total_seconds() * 1000
    current_app.logger.info(
        "%s key=%s locale=%s kind=%s route=%s danger=%s ms=%.1f",
        channel,
        key[-12:],
        reply.locale,
        reply.kind,
        reply.route,
        ",".join(sorted(reply.danger)) or "-",
        took,
    )
