"""Rate limits on chat, search, feedback and SMS, shared through Redis when set.

Blueprints mark a view with `@limit("chat")` (or "search", "feedback", "sms"). Each app gets its
own Flask-Limiter, so tests and benchmarks can run several apps in one process. Counters are
keyed by a keyed hash, never the value itself, and expire with their window:
- chat: per conversation (the random id in the session), so a school's Wi-Fi or a mobile
  network, which put many people behind one address, never share an allowance; starting
  conversations is limited per address ("chat-start"), which is what stops a script;
- SMS: per sender's number, which is one conversation;
- search and feedback: per address.
A message the reader finds danger in is always answered, whatever the limits; a chat message
over the limit is kept and shown again in the form. In-memory counters are per worker process,
so production sets REDIS_URL and every instance shares one count.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import wraps

from flask import Flask, Response, abort, current_app, jsonify, render_template, request, session
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from chatbot import read
from web.content import content

# Generous for a person (a chat is a message every few seconds at most), tight for a script.
LIMITS: dict[str, str] = {
    "chat": "30/minute;300/hour",  # per conversation
    "chat-start": "60/minute;600/hour",  # new conversations per address
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


def conversation_key() -> str:
    """Return a keyed hash of this browser's chat conversation id."""
    return _keyed_hash(f"chat:{session.get('cid', '')}")


# The form field that holds what the person typed, per limit.
TYPED = {"chat": "message", "sms": "Body", "feedback": "comment", "search": "q"}
KEYS: dict[str, Callable[[], str]] = {
    "chat": conversation_key,
    "sms": lambda: sender_key(),
}


def sender_key() -> str:
    """Return a keyed hash of the texter's number: Twilio's own addresses are shared by all."""
    return _keyed_hash(f"sms:{request.form.get('From', '')}")


def signed_url() -> str:
    """Return the URL as Twilio requested and signed it: the query string exactly as sent.

    `request.url` decodes escapes such as %C2%B2 back to characters, which Twilio did not sign.
    """
    query = request.environ.get("QUERY_STRING", "")
    return request.base_url + (f"?{query}" if query else "")


def twilio_signed() -> bool:
    """Return whether Twilio signed this request (the SMS view checks it again and says 403)."""
    token = current_app.config.get("TWILIO_AUTH_TOKEN") or ""
    signature = request.headers.get("X-Twilio-Signature", "")
    params = request.form.to_dict(flat=True)
    return bool(token and signature) and RequestValidator(token).validate(
        signed_url(), params, signature
    )


def init_rate_limits(app: Flask) -> None:
    """Attach the limiter; shared through Redis when REDIS_URL is set, else per process."""
    app.config.setdefault("RATELIMIT_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "lantern")
    redis_url = app.config.get("REDIS_URL") or ""
    # A dead or hung Redis must not hold a request: short socket timeouts, then the fallback.
    timeout = min(0.2, float(app.config.get("LANTERN_STORAGE_TIMEOUT", 0.2)))
    limiter = Limiter(
        key_func=client_key,
        storage_uri=redis_url or "memory://",
        storage_options={"socket_timeout": timeout, "socket_connect_timeout": timeout}
        if redis_url
        else {},
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


# Twilio delivers texts of up to 1,600 characters; an emoji is 12 bytes once form-encoded, so a
# long text of emoji (and Twilio's other fields) needs more room than a page's forms.
SMS_MAX_CONTENT_LENGTH = 32 * 1024


def refuse_oversized() -> None:
    """Answer 413 to any body over MAX_CONTENT_LENGTH, even on a view that never reads it."""
    cap = current_app.config.get("MAX_CONTENT_LENGTH")
    if request.endpoint == "sms.sms" and cap:
        cap = request.max_content_length = max(cap, SMS_MAX_CONTENT_LENGTH)
    if cap and (request.content_length or 0) > cap:
        abort(413)


def _check_for(limiter: Limiter, name: str, value: str) -> Callable[[], None]:
    """Return a function that counts this request against the limit `name`, or raises 429."""

    def check() -> None:
        return None

    # Flask-Limiter files decorated limits under the function's name: give each its own.
    check.__name__ = check.__qualname__ = f"lantern_limit_{name}"
    return limiter.shared_limit(value, scope=name, key_func=KEYS.get(name, client_key))(check)


def limit(name: str):
    """Decorate a view so each client's requests count against the limit `name`."""
    if name not in LIMITS:
        raise ValueError(f"unknown rate limit {name!r}; known: {', '.join(LIMITS)}")

    def decorate(view):
        @wraps(view)
        def limited(*args, **kwargs):
            counted = name
            if name == "chat" and not session.get("cid"):
                counted = "chat-start"  # no conversation yet: count it against the address
            check = current_app.extensions.get("lantern_limit_checks", {}).get(counted)
            # Only texts Twilio signed count against a number: a forger can neither use up a
            # real texter's allowance nor learn from the reply whether that number is busy.
            if check is not None and name == "sms" and not twilio_signed():
                check = None
            if check is not None:
                try:
                    check()
                except RateLimitExceeded as exceeded:
                    if shows_danger(name):
                        return view(*args, **kwargs)  # danger is answered, whatever the limits
                    return over_limit(name, exceeded)
            return view(*args, **kwargs)

        return limited

    return decorate


def typed_text(name: str) -> str:
    """Return what the person typed into the limited form, if anything."""
    field = TYPED.get(name)
    return (request.values.get(field) or "")[:1000] if field else ""


def shows_danger(name: str) -> bool:
    """Return whether the reader is sure the typed text shows danger."""
    text = typed_text(name)
    flow = content().flow
    return bool(text.strip()) and flow is not None and bool(read(flow, text).danger)


def over_limit(name: str, exceeded: RateLimitExceeded):
    """Answer a client over its limit: TwiML for SMS, JSON for the API, the chat form with the
    message kept, else the 429 page."""
    if name == "sms":
        return sms_over_limit()
    if name == "chat" and request.method == "POST":
        return render_template("chat/over_limit.html", kept=typed_text(name)), 429
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
