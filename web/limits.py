"""Rate limits per client on chat, search, feedback and SMS, shared through Redis when set.

Blueprints mark a view with `@limit("chat")` (or "search", "feedback", "sms"). Each app gets its
own Flask-Limiter, so tests and benchmarks can run several apps in one process. Counters are
keyed by a keyed hash of the client's address (for SMS, of the sender's number): the address
itself is never stored, and each counter expires with its window. In-memory counters are per
worker process, so production sets REDIS_URL and every instance shares one count.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import wraps

from flask import Flask, Response, abort, current_app, jsonify, request
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from web.content import content

# Generous for a person (a chat is a message every few seconds at most), tight for a script.
LIMITS: dict[str, str] = {
    "chat": "30/minute;300/hour",
    "search": "60/minute;600/hour",
    "feedback": "10/minute;60/hour",
    "sms": "20/minute;200/hour",
    # Staff sign-in, per client address, on top of each account's lockout: password spraying
    # across many accounts from one place is slowed too.
    "staff": "30/minute;300/hour",
}


def _keyed_hash(value: str) -> str:
    key = current_app.config["LANTERN_HMAC_KEY"].encode("utf-8")
    return hmac.new(key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]


def client_key() -> str:
    """Return a keyed hash of the client's address (behind a proxy, ProxyFix has set it)."""
    return _keyed_hash(f"addr:{request.remote_addr or ''}")


def sender_key() -> str:
    """Return a keyed hash of the texter's number: Twilio's own addresses are shared by all."""
    return _keyed_hash(f"sms:{request.form.get('From', '')}")


def twilio_signed() -> bool:
    """Return whether Twilio signed this request (the SMS view checks it again and says 403)."""
    token = current_app.config.get("TWILIO_AUTH_TOKEN") or ""
    signature = request.headers.get("X-Twilio-Signature", "")
    params = request.form.to_dict(flat=True)
    return bool(token and signature) and RequestValidator(token).validate(
        request.url, params, signature
    )


def init_rate_limits(app: Flask) -> None:
    """Attach the limiter; shared through Redis when REDIS_URL is set, else per process."""
    app.config.setdefault("RATELIMIT_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "lantern")
    limiter = Limiter(
        key_func=client_key,
        storage_uri=app.config.get("REDIS_URL") or "memory://",
        strategy="sliding-window-counter",
        headers_enabled=True,
        # If Redis goes away, keep serving (limits fall back to per-process) rather than fail.
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    limiter.init_app(app)
    checks: dict[str, Callable[[], None]] = {}
    if limiter.enabled:
        for name, value in {**LIMITS, **app.config.get("LANTERN_RATE_LIMITS", {})}.items():
            checks[name] = _check_for(limiter, name, value)
    app.extensions["lantern_limiter"] = limiter
    app.extensions["lantern_limit_checks"] = checks
    app.before_request(refuse_oversized)


def refuse_oversized() -> None:
    """Answer 413 to any body over MAX_CONTENT_LENGTH, even on a view that never reads it."""
    cap = current_app.config.get("MAX_CONTENT_LENGTH")
    if cap and (request.content_length or 0) > cap:
        abort(413)


def _check_for(limiter: Limiter, name: str, value: str) -> Callable[[], None]:
    """Return a function that counts this request against the limit `name`, or raises 429."""

    def check() -> None:
        return None

    # Flask-Limiter files decorated limits under the function's name: give each its own.
    check.__name__ = check.__qualname__ = f"lantern_limit_{name}"
    return limiter.shared_limit(
        value,
        scope=name,
        key_func=sender_key if name == "sms" else client_key,
    )(check)


def limit(name: str):
    """Decorate a view so each client's requests count against the limit `name`."""
    if name not in LIMITS:
        raise ValueError(f"unknown rate limit {name!r}; known: {', '.join(LIMITS)}")

    def decorate(view):
        @wraps(view)
        def limited(*args, **kwargs):
            check = current_app.extensions.get("lantern_limit_checks", {}).get(name)
            # Only texts Twilio signed count against a number: a forger can neither use up a
            # real texter's allowance nor learn from the reply whether that number is busy.
            if check is not None and name == "sms" and not twilio_signed():
                check = None
            if check is not None:
                try:
                    check()
                except RateLimitExceeded as exceeded:
                    return over_limit(name, exceeded)
            return view(*args, **kwargs)

        return limited

    return decorate


def over_limit(name: str, exceeded: RateLimitExceeded):
    """Answer a client over its limit: TwiML for SMS, JSON for the API, else the 429 page."""
    if name == "sms":
        return sms_over_limit()
    if request.path.startswith("/api/"):
        return jsonify(error="Too many requests. Try again in a minute."), 429
    # The error page (web/errors.py) says "wait a moment" and, like every page, shows 999.
    raise exceeded


def sms_over_limit() -> Response:
    """Return a short TwiML reply: Twilio's webhooks do not accept 429, and safety comes first."""
    directory = content().directory
    text = _(
        "You have sent a lot of messages. If you are in danger now, call %(emergency)s. "
        "Childline is free, day or night: %(childline)s. Please text again in a few minutes.",
        emergency=directory.get("emergency-999").phone.display,
        childline=directory.get("childline").phone.display,
    )
    reply = MessagingResponse()
    reply.message(text)
    return Response(str(reply), status=200, mimetype="text/xml")
