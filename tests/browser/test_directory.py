"""Find support in a real Chromium with JavaScript off: the GET form and its filters."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def directory_server(live_app):
    # Until app.py registers the blueprint; this module runs before the server has served.
    if "directory" not in live_app.blueprints:
        from web import directory

        live_app.register_blueprint(directory.bp)
    return live_app


def test_search_and_filter_without_javascript(directory_server, live_server, no_js):
    """Can someone search with a typo, narrow by filters and reach a number, with no JavaScript?"""
    page = no_js
    page.goto(live_server.url + "/services")
    page.fill("#search-q", "counsling")
    page.click("button[type=submit]")
    page.wait_for_url("**/services?q=counsling*")
    assert page.locator("a[href='/services/rothacs']").count() == 1

    page.click("details.filters summary")
    page.select_option("#search-category", "crisis")
    page.check("input[name=always_open]")
    page.fill("#search-q", "")
    page.click("button[type=submit]")
    page.wait_for_url("**category=crisis*")
    assert page.locator("a[href='tel:116123']").count() >= 1  # Samaritans, tap to call
    assert page.locator("a[href='sms:85258?body=SHOUT']").count() == 1
    assert page.locator("a[href='/services/mind-infoline']").count() == 0  # not 24/7

    page.click("a[href='/services/samaritans']")
    page.wait_for_url("**/services/samaritans")
    assert page.locator("h1").inner_text() == "Samaritans"
    assert page.locator("textarea#problem").count() == 1
