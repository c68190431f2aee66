"""What the channels share: the clock, the store, keyed hashes, translation, Twilio checks."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from twilio.request_validator import RequestValidator

from chatbot import Reply, step
from storage import StorageUnavailable
from web.clock import now
from web.limits import signed_url
from web.locale import translate

IDLE_SECONDS = 30 * 60  # a conversation is forgotten after 30 idle minutes
RETRY_SECONDS = 24 * 60 * 60  # how long a Twilio MessageSid is remembered for retries

# Said when the store cannot be read or written: the reply itself never waits on storage.
NOT_REMEMBERED = _l("Note: we cannot remember earlier messages just now.")
NOT_FORGOTTEN = _l("Note: we could not delete this conversation just now. We will soon.")


def store() -> Any:
    return current_app.extensions["lantern_store"]


def content() -> Any:
    return current_app.extensions["lantern"]


def keyed_hash(kind: str, value: str) -> str:
    """Return a key for `value` that cannot be turned back into it without the HMAC key."""
    secret = str(current_app.config["LANTERN_HMAC_KEY"]).encode()
    digest = hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest}"


class Remembered:
    """A conversation's stored state, read and written without ever failing the reply.

    When the store is down the conversation carries on from scratch and `note` says so; the
    engine's safety check needs no state, so the 999 answer is the same either way.
    """

    def __init__(self, key: str):
        self.key = key
        self.note: Any = None

    def _degrade(self, note: Any) -> None:
        if self.note is None or note is NOT_FORGOTTEN:
            self.note = note

    def read(self) -> dict | None:
        try:
            return store().get_conversation(self.key, now())
        except StorageUnavailable:
            self._degrade(NOT_REMEMBERED)
            return None

    def write(self, state: dict, reply: Reply) -> None:
        """Keep the new state, or forget the conversation when the reply says so."""
        try:
            if reply.forget:
                store().forget(self.key)
            else:
                store().put_conversation(self.key, state, IDLE_SECONDS, now())
        except StorageUnavailable:
            self._degrade(NOT_FORGOTTEN if reply.forget else NOT_REMEMBERED)

    def seen(self, sid: str, document: str) -> str | None:
        """Return the reply already sent for this message id, or None (also when unknown)."""
        try:
            return store().seen_message(self.key, sid, document, RETRY_SECONDS, now())
        except StorageUnavailable:
            return None  # answering a retry twice beats not answering


def run(state: dict | None, text: str, locale: str, *, sms: bool = True) -> tuple[dict, Reply]:
    """Call the engine with the loaded flow and directory, now (`sms`: keep to SMS lengths)."""
    loaded = content()
    new_state, reply = step(
        state,
        text,
        locale,
        now(),
        directory=loaded.directory,
        flow=loaded.flow,
        translate=translate,
        sms=sms,
    )
    return new_state.to_dict(), reply


def require_twilio_signature() -> None:
    """Abort with 403 unless Twilio signed this request for the URL the app sees."""
    token = current_app.config.get("TWILIO_AUTH_TOKEN") or ""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        abort(403)
    params = request.form.to_dict(flat=True)
    if not RequestValidator(token).validate(signed_url(), params, signature):
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
