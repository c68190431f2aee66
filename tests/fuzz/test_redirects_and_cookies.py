"""No open redirect anywhere; every cookie flagged HttpOnly, SameSite and (in production) Secure."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode, urlsplit

import pytest
from flask import session
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from tests.fuzz.crawl import LANGS, all_forms, page_urls, routes

EXIT_URL = "https://www.bbc.co.uk/weather"
EVIL = (
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "https://evil.example",
    "https:evil.example",
    "//evil.example/%2F..",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "%2F%2Fevil.example",
    "javascript:alert(1)",
    " //evil.example",
    "\x00//evil.example",
    "http://localhost@evil.example",
    "//evil.example@localhost",
    "/.//evil.example",
)
REDIRECT_PARAMS = ("next", "url", "return", "return_to", "redirect", "continue", "back", "target")


@pytest.fixture(scope="module")
def app(fuzz_app):
    return fuzz_app("redirect", TWILIO_AUTH_TOKEN="redirect-twilio", LANTERN_EXIT_URL=EXIT_URL)


def as_browser_reads(location: str) -> str:
    """Normalise a Location the way browsers do before resolving it (WHATWG URL parsing)."""
    location = location.strip("".join(map(chr, range(0x21))))
    location = re.sub(r"[\t\n\r]", "", location)
    return location.replace("\\", "/")


def assert_not_open(response, allowed_offsite: str | None = None) -> None:
    """Assert that a redirect, if this is one, stays on this site (or goes where allowed)."""
    if not 300 <= response.status_code < 400:
        return
    location = response.headers["Location"]
    if allowed_offsite is not None and location == allowed_offsite:
        return
    target = urlsplit(as_browser_reads(location))
    assert target.scheme in ("", "http", "https"), location
    assert target.netloc in ("", "localhost"), f"open redirect to {location!r}"


def get_raw_path(client, path: str, query: dict | None = None):
    """GET `path` as a server receives it: the test client would read "//host" as a host."""
    wsgi_path = path.encode("utf-8", "surrogatepass").decode("latin-1")  # as PEP 3333 has it
    return client.get("/", query_string=query or {}, environ_overrides={"PATH_INFO": wsgi_path})


evil = st.one_of(st.sampled_from(EVIL), st.text(max_size=60))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_get_route_redirects_off_site(app, data):
    """Can any path, language switch or redirect-like parameter send a reader to another site?"""
    client = app.test_client()
    gets = [rule for rule, methods in routes(app) if "GET" in methods and rule != "/exit"]
    rule = data.draw(st.sampled_from(gets))
    part = data.draw(evil)
    path = re.sub(r"<[^>]+>", lambda _: quote(part, safe="/\\:@") or "x", rule)
    if data.draw(st.booleans()):
        path = part if part.startswith("/") else f"/{part}"
    query = data.draw(st.dictionaries(st.sampled_from(REDIRECT_PARAMS), evil, max_size=2))
    if data.draw(st.booleans()):
        query["lang"] = data.draw(st.one_of(st.sampled_from(LANGS), evil))
    response = get_raw_path(client, path, query)
    assert response.status_code < 500
    assert_not_open(response)


@pytest.mark.parametrize("lang", ["ur", "xx", "//evil.example", "/\\evil.example"])
@pytest.mark.parametrize("path", ["/", "//evil.example", "/\\evil.example", "/families", "/%2F/x"])
def test_language_switch_stays_on_site(app, lang, path):
    """Does ?lang= always redirect to a path on this site, whatever the path and code?"""
    response = get_raw_path(app.test_client(), path, {"lang": lang})
    assert_not_open(response)
    if response.status_code in (301, 302, 303, 307, 308):
        assert response.headers["Location"].startswith("/")
        assert not as_browser_reads(response.headers["Location"]).startswith("//")


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("param", REDIRECT_PARAMS)
def test_exit_goes_only_to_the_configured_site(app, method, param):
    """Can a link to /exit be made to send someone somewhere other than the neutral site?"""
    client = app.test_client()
    for target in EVIL:
        response = client.open(f"/exit?{urlencode({param: target})}", method=method)
        assert response.status_code in (204, 303)
        if response.status_code == 303:
            assert response.headers["Location"] == EXIT_URL
        for lang in LANGS[1:]:
            localised = client.get(f"/{lang}/exit", query_string={param: target})
            assert localised.headers.get("Location") == EXIT_URL


def test_every_form_redirects_on_site(app):
    """Does any form's redirect after posting honour a forged destination?"""
    client = app.test_client()
    for form in all_forms(app):
        page = client.get(form.page).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        for target in EVIL:
            data = {**form.fields, **{p: target for p in REDIRECT_PARAMS if p != "target"}}
            if token:
                data["csrf_token"] = token.group(1)
            response = client.open(form.action, method=form.method, data=data)
            assert_not_open(response)
            data["target"] = target
            assert_not_open(client.open(form.action, method=form.method, data=data))


def _cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def _assert_flagged(cookie: str, secure: bool) -> None:
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes, cookie
    assert re.search(r"samesite=(lax|strict)", cookie, re.I), cookie
    assert ("secure" in attributes) == secure, cookie


@pytest.fixture(scope="module")
def production(tmp_path_factory, index_dir):
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("LANTERN_ENV", "production")
        monkeypatch.setenv("SECRET_KEY", "production-secret")
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('p') / 'p.sqlite3'}",
                "LANTERN_INDEX_DIR": str(index_dir),
                "RATELIMIT_ENABLED": False,
            }
        )

    @app.get("/cookie-probe")
    def probe():
        session["probe"] = 1
        return "set"

    return app


def test_session_cookie_flags_in_production(production):
    """Does the session cookie go out HttpOnly, SameSite=Lax and Secure in production?"""
    response = production.test_client().get("/cookie-probe")
    [cookie] = _cookies(response)
    _assert_flagged(cookie, secure=True)


def test_every_cookie_any_page_or_form_sets_is_flagged(production):
    """Whatever a visitor does, does every cookie the site sets carry the flags?"""
    client = production.test_client()
    seen = []
    for url in page_urls(production):
        seen += _cookies(client.get(url))
    for form in all_forms(production):
        seen += _cookies(client.open(form.action, method=form.method, data=form.fields))
    seen += _cookies(client.get("/cookie-probe"))
    seen += _cookies(client.get("/exit"))
    for cookie in seen:
        _assert_flagged(cookie, secure=True)
    assert any(c.startswith("s=") for c in seen)
