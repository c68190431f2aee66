"""A whole-page cache for the pages everyone sees alike, kept per worker process.

Rendering a page costs one to three milliseconds of templates; a campaign sends thousands of
people to the same few pages. A page is kept when its view opts in with `@cached_page`, the
request is a GET without a query string or a session cookie, and the response is a 200 that sets
no cookie. Pages change with time only through the directory: the day, and which lines are open
("Open now", "opens Monday 08:30", the front-door number answered now). So a kept page is served
until that opening state changes, which is worked out once a minute, and for no more than
KEEP_SECONDS, so that the form tokens inside stay far from their four-hour limit. Each response
gets a fresh script nonce, written into the page and its Content-Security-Policy. Headers that
belong to one client (rate-limit counts) are never kept.

What is kept is the site's public pages only: nothing a person typed, nothing from a session.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from flask import Flask, request

from web.clock import now
from web.content import refresh_content
from web.insight import PAGE_READ, count_kept_page

CACHEABLE = "lantern.cacheable"
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")
KEEP_SECONDS = 15 * 60  # well inside web.csrf.MAX_AGE
PER_CLIENT_HEADERS = ("x-ratelimit-", "retry-after")


@dataclass(frozen=True)
class Entry:
    state: object  # the directory's opening state the page was rendered in
    made: float  # when, by the app's clock (seconds)
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    nonce: str
    counts: tuple[str, str] | None = None  # the page read it counts, each time it is served


def cached_page(view: Callable) -> Callable:
    """Mark a view's page as the same for everyone without a session, until lines open or close."""

    @wraps(view)
    def marked(*args, **kwargs):
        request.environ[CACHEABLE] = True
        return view(*args, **kwargs)

    return marked


class PageCache:
    """WSGI middleware keeping the pages `@cached_page` views render, per worker process."""

    def __init__(self, wsgi_app, app: Flask, size: int):
        self.wsgi_app = wsgi_app
        self.app = app
        self.size = size
        self.cookie = f"{app.config['SESSION_COOKIE_NAME']}="
        # (scheme, script root, path): HTTPS pages carry HSTS, which plain HTTP must not get.
        self.entries: dict[tuple[str, str, str], Entry] = {}
        self.lock = threading.Lock()
        # (minute, (publication, opening state), the content it was worked out from)
        self.current: tuple[int, object, object] = (-1, None, None)

    def state(self) -> tuple[float, object]:
        """Return the time and the directory's opening state, worked out once a minute."""
        refresh_content(self.app)  # a published change replaces the loaded content
        moment = now(self.app)
        seconds = moment.timestamp()
        loaded = self.app.extensions["lantern"]
        current = self.current
        if current[0] != int(seconds // 60) or current[2] is not loaded:
            state = (loaded.version, loaded.directory.opening_state(moment))
            current = self.current = (int(seconds // 60), state, loaded)
        return seconds, current[1]

    def __call__(self, environ, start_response):
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or environ.get("QUERY_STRING")
            or self.cookie in environ.get("HTTP_COOKIE", "")
        ):
            return self.wsgi_app(environ, start_response)
        key = (
            environ.get("wsgi.url_scheme", "http"),
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
        )
        if "//" in key[1] + key[2]:
            # `//young-people` renders the same page; keeping each spelling would let anyone
            # push the real pages out of the cache.
            return self.wsgi_app(environ, start_response)
        seconds, state = self.state()
        entry = self.entries.get(key)
        if entry is not None and entry.state == state and 0 <= seconds - entry.made < KEEP_SECONDS:
            count_kept_page(self.app, entry.counts)
            return self.serve(entry, start_response)
        captured: list = []

        def capture(status, headers, exc_info=None):
            captured[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, capture)
        if not environ.get(CACHEABLE) or not captured or not captured[0].startswith("200 "):
            return body
        status, headers = captured
        if any(name.lower() == "set-cookie" for name, _ in headers):
            return body
        data = _read(body)
        if self.state()[1] != state:  # a line opened or closed while the page was rendered
            return [data]
        kept = tuple(
            (name, value)
            for name, value in headers
            if not name.lower().startswith(PER_CLIENT_HEADERS)
        )
        found = NONCE.search(dict(headers).get("Content-Security-Policy", ""))
        nonce = found.group(1) if found else ""
        self.store(key, Entry(state, seconds, status, kept, data, nonce, environ.get(PAGE_READ)))
        return [data]

    def store(self, key: tuple[str, str, str], entry: Entry) -> None:
        with self.lock:
            if key not in self.entries and len(self.entries) >= self.size:
                self.entries.pop(next(iter(self.entries)))  # the oldest page kept
            self.entries[key] = entry

    def serve(self, entry: Entry, start_response) -> list[bytes]:
        if not entry.nonce:
            start_response(entry.status, list(entry.headers))
            return [entry.body]
        nonce = secrets.token_urlsafe(16)  # the same length as the one it replaces
        old = entry.nonce
        headers = [(name, value.replace(old, nonce)) for name, value in entry.headers]
        start_response(entry.status, headers)
        return [entry.body.replace(old.encode(), nonce.encode())]


def _read(body: Iterable[bytes]) -> bytes:
    try:
        return b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


def init_page_cache(app: Flask) -> None:
    """Put the cache in front of the app (inside the language prefix); size 0 turns it off."""
    size = int(app.config["LANTERN_PAGE_CACHE"])
    if size > 0:
        app.wsgi_app = PageCache(app.wsgi_app, app, size)
