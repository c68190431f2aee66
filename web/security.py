"""Security and privacy headers, set in one hook for every response."""

from __future__ import annotations

import logging
import re
import secrets

from flask import Flask, g, request

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)


HSTS = "max-age=63072000; includeSubDomains"

# Files the same for everyone, which browsers may keep; everything else is no-store.
PUBLIC_ENDPOINTS = frozenset({"static", "pages.favicon"})


def csp_nonce() -> str:
    """Return this request's script nonce, making one on first use."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    return (
        "default-src 'none'; "
        f"script-src 'nonce-{nonce}'; "
        "style-src 'self'; "
        "img-src 'self'; "
        "connect-src 'self'; "
        "form-action 'self'; "
        "base-uri 'none'; "
        "frame-ancestors 'none'; "
        "manifest-src 'self'"
    )


def staff_security_policy(nonce: str) -> str:
    """The staff area's policy: stricter still (no connections, no manifest)."""
    return (
        "default-src 'none'; "
        f"script-src 'nonce-{nonce}'; "
        "style-src 'self'; "
        "img-src 'self'; "
        "form-action 'self'; "
        "base-uri 'none'; "
        "frame-ancestors 'none'"
    )


def _headers(response):
    if request.blueprint == "staff":
        response.headers["Content-Security-Policy"] = staff_security_policy(csp_nonce())
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    else:
        response.headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.is_secure:
        # Only over HTTPS (as the proxy reports it), as RFC 6797 asks; two years, as browsers'
        # preload lists expect. A first visit by http:// is upgraded by the proxy's redirect.
        response.headers["Strict-Transport-Security"] = HSTS
    if request.endpoint not in PUBLIC_ENDPOINTS:
        # Pages can hold what someone is going through: never keep them in any cache.
        response.headers["Cache-Control"] = "no-store"
    return response


def register_security_headers(app: Flask) -> None:
    """Add the headers to every response and the nonce helper to templates."""
    redact_request_log()
    app.after_request(_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce


# From the "?" to the protocol at the end of the request line: a decoded query may hold spaces
# and quotes.
QUERY = re.compile(r"\?.*?(?= HTTP/\d|$)", re.DOTALL)


class RedactQueries(logging.Filter):
    """Strip query strings from the development server's request lines: they can hold a search."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                QUERY.sub("?…", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def redact_request_log() -> None:
    """Keep what people search for out of `flask run`'s log (gunicorn keeps no access log)."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactQueries) for f in logger.filters):
        logger.addFilter(RedactQueries())
