"""The site in a real Chromium: accessibility, quick exit, no JavaScript, other hosts."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}


def site_paths(app) -> list[str]:
    """Every page a reader can reach: home, each content page, errors and feature pages."""
    from web.content import Content

    content: Content = app.extensions["lantern"]
    paths = ["/", "/no-such-page"]
    paths += sorted({f"/{path}" for (_, path) in content.pages.pages})
    for endpoint, path in (("directory.search", "/services"), ("chat.chat", "/chat")):
        if endpoint in app.view_functions:
            paths.append(path)
    if "directory.listing" in app.view_functions:
        paths += ["/services/childline", "/services/rotherham-mash"]
    return paths


def axe_violations(page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_axe_every_route(live_server, live_app, desktop, lang):
    """Does axe-core find no WCAG 2.2 A/AA violation on any page, in English and Urdu?"""
    prefix = "" if lang == "en" else f"/{lang}"
    failures = {}
    for path in site_paths(live_app):
        desktop.goto(live_server.url + prefix + path)
        assert desktop.get_attribute("html", "lang") == lang
        violations = axe_violations(desktop)
        if violations:
            failures[path] = violations
    assert not failures, failures


def test_no_request_to_another_host(live_server, live_app, phone):
    """Does any page make the browser fetch from another host?"""
    seen = set()
    phone.on("request", lambda request: seen.add(urlparse(request.url).netloc))
    for path in site_paths(live_app):
        phone.goto(live_server.url + path)
    assert seen == {urlparse(live_server.url).netloc}


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_screenshot_home(live_server, phone, lang):
    """Save a 360 px screenshot of the home page for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    prefix = "" if lang == "en" else f"/{lang}"
    phone.goto(live_server.url + prefix + "/")
    path = ARTIFACTS / f"home-360-{lang}.png"
    phone.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll


def _leave_and_check(page, live_server, action):
    page.goto(live_server.url + "/")
    page.goto(live_server.url + "/families")
    action(page)
    page.wait_for_url(live_server.url + "/healthz")
    page.go_back()
    # location.replace() took /families out of history: Back goes to the page before it.
    assert page.url != live_server.url + "/families"


def test_shift_three_times_leaves(live_server, desktop):
    def press(page):
        page.locator("main").click()
        for _ in range(3):
            page.keyboard.press("Shift")

    _leave_and_check(desktop, live_server, press)


def test_typing_capitals_does_not_leave(live_server, desktop):
    """Does typing ordinary text with capitals keep the reader on the page?"""
    desktop.goto(live_server.url + "/families")
    desktop.locator("#feedback-comment").click()
    desktop.keyboard.type("I Am Not Sure What To Do")
    desktop.wait_for_timeout(300)
    assert desktop.url == live_server.url + "/families"


def test_exit_button_leaves(live_server, desktop):
    _leave_and_check(desktop, live_server, lambda page: page.click(".exit"))


def test_exit_button_on_touch(live_server, phone):
    _leave_and_check(phone, live_server, lambda page: page.tap(".exit"))


def test_exit_without_javascript(live_server, no_js):
    """With JavaScript off, is the exit button still a working link?"""
    no_js.goto(live_server.url + "/families")
    no_js.click(".exit")
    no_js.wait_for_url(live_server.url + "/healthz")


def test_exit_stays_reachable_when_scrolled(live_server, phone):
    """After scrolling to the bottom of a long page, can the exit button still be seen?"""
    phone.goto(live_server.url + "/staying-safe")
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = phone.locator(".exit").bounding_box()
    assert box and 0 <= box["y"] < 100
