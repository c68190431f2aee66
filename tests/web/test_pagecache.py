"""The whole-page cache: pages rendered once a minute, each response with its own nonce."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from flask import make_response, template_rendered

from web.pagecache import PageCache, cached_page

NONCE = re.compile(r'nonce="([^"]+)"')
TEN_AM = datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC)  # a Monday


@pytest.fixture
def clock(app):
    moment = {"now": TEN_AM}
    app.config["LANTERN_NOW"] = lambda: moment["now"]
    return moment


@pytest.fixture
def renders(app):
    seen: list[str] = []

    def record(sender, template, context, **extra):
        seen.append(template.name)

    template_rendered.connect(record, app)
    yield seen
    template_rendered.disconnect(record, app)


def nonces(response) -> set[str]:
    found = set(NONCE.findall(response.get_data(as_text=True)))
    policy = response.headers["Content-Security-Policy"]
    assert all(f"'nonce-{n}'" in policy for n in found)
    return found


def test_the_app_is_served_through_the_cache(app):
    """Is the cache in place, inside the language prefix, with its configured size?"""
    layer = app.wsgi_app
    while not isinstance(layer, PageCache):
        layer = layer.wsgi_app
    assert layer.size == app.config["LANTERN_PAGE_CACHE"]


def test_a_page_is_rendered_again_only_when_the_open_lines_change(client, clock, renders):
    """Is a second visit served without rendering until a line opens or closes?"""
    first = client.get("/families/worried-what-to-do")
    count = len(renders)
    assert count and first.status_code == 200
    assert "tel:+441709336080" in first.get_data(as_text=True)  # the any-time front door
    clock["now"] += timedelta(minutes=10)  # 10:10 on a Monday: nothing opens or closes
    second = client.get("/families/worried-what-to-do")
    assert len(renders) == count
    assert NONCE.sub("", first.get_data(as_text=True)) == NONCE.sub(
        "", second.get_data(as_text=True)
    )
    clock["now"] = TEN_AM.replace(hour=20)  # evening: the out-of-hours line answers
    evening = client.get("/families/worried-what-to-do")
    assert len(renders) == 2 * count
    assert "tel:+441709336080" in evening.get_data(as_text=True)


def test_each_response_has_its_own_nonce(client, clock):
    """Does a page from the cache carry a new nonce, matching its security policy?"""
    seen = [nonces(client.get("/")) for _ in range(3)]
    assert all(len(found) == 1 for found in seen)
    assert len(set.union(*seen)) == 3
    assert all(len(n) == 22 for found in seen for n in found)


def test_languages_are_kept_apart(client, clock):
    """Is each language's page kept on its own?"""
    client.get("/")
    polish = client.get("/pl/")
    assert 'lang="pl"' in polish.get_data(as_text=True)
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "cookie"),
    [
        ("/families?feedback=thanks", None),  # a query string
        ("/families", "abc"),  # a session
    ],
)
def test_personal_requests_are_rendered(client, clock, renders, path, cookie):
    """Are requests with a query string or a session cookie always rendered afresh?"""
    if cookie:
        client.set_cookie("s", cookie)
    client.get(path)
    count = len(renders)
    client.get(path)
    assert len(renders) == 2 * count


def test_errors_are_not_kept(client, clock, renders):
    """Is a 404 rendered each time?"""
    client.get("/no-such-page")
    count = len(renders)
    client.get("/no-such-page")
    assert count and len(renders) == 2 * count


def test_pages_that_set_a_cookie_are_not_kept(app, clock):
    """Is a page whose response sets a cookie rendered for each request?"""
    calls = []

    @app.get("/sets-a-cookie")
    @cached_page
    def sets_a_cookie():
        calls.append(1)
        response = make_response("a page")
        response.set_cookie("t", "1")
        return response

    client = app.test_client()
    assert [client.get("/sets-a-cookie").status_code for _ in range(2)] == [200, 200]
    assert len(calls) == 2


def test_feedback_form_from_a_kept_page_is_accepted(app, client, clock):
    """Does the form token in a page served from the cache still work?"""
    app.config["RATELIMIT_ENABLED"] = False
    client.get("/families")
    html = client.get("/families").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post(
        "/feedback",
        data={"csrf_token": token, "kind": "page", "target": "families", "helpful": "yes"},
    )
    assert response.status_code < 400
    assert len(app.extensions["lantern_store"].list_feedback()) == 1


def test_size_zero_turns_the_cache_off(app):
    """Does LANTERN_PAGE_CACHE=0 leave the app without the cache?"""
    from app import create_app

    plain = create_app({**app.config, "LANTERN_PAGE_CACHE": 0})
    layer, found = plain.wsgi_app, False
    while hasattr(layer, "wsgi_app"):
        found = found or isinstance(layer, PageCache)
        layer = layer.wsgi_app
    assert not found


def test_kept_pages_are_renewed_long_before_their_form_tokens_expire(app, client, clock, renders):
    """Five hours on, on a quiet Saturday night, is the page's form token still accepted?"""
    app.config["RATELIMIT_ENABLED"] = False
    clock["now"] = datetime(2026, 11, 28, 0, 5, tzinfo=UTC)  # Saturday: no line changes for hours
    client.get("/families")
    count = len(renders)
    clock["now"] += timedelta(minutes=5)
    client.get("/families")
    assert len(renders) == count  # still kept
    later = time.time() + 5 * 3600
    with mock.patch("itsdangerous.timed.time.time", lambda: later):
        clock["now"] += timedelta(hours=5)
        html = client.get("/families").get_data(as_text=True)
        assert len(renders) == 2 * count
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        response = client.post(
            "/feedback",
            data={"csrf_token": token, "kind": "page", "target": "families", "helpful": "yes"},
        )
    assert response.status_code < 400


def test_one_clients_rate_limit_headers_are_not_kept(client):
    """Does a page served from the cache leave out the first visitor's rate-limit counts?"""
    first = client.get("/services", environ_base={"REMOTE_ADDR": "10.0.0.1"})
    second = client.get("/services", environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert first.status_code == second.status_code == 200
    names = [[name.lower() for name, _ in r.headers.items()] for r in (first, second)]
    assert any(name.startswith("x-ratelimit") for name in names[0])
    assert not any(name.startswith(("x-ratelimit", "retry-after")) for name in names[1])
