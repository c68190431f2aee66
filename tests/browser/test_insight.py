"""The board's insight page in a real browser, after a scripted week: charts, tables, axe-core,
right to left in Urdu, and no script needed."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, profiles

from app import create_app
from tests.browser.conftest import ARTIFACTS, LiveServer
from tests.browser.test_site import axe_violations
from tests.browser.test_staff import sign_in
from tests.web.staff.helpers import add_staff
from tests.web.test_insight_week import Clock, run_week

BOARD = "bea@partnership.test"


@pytest.fixture
def insight_server(tmp_path, monkeypatch):
    import web.staff.auth as auth

    monkeypatch.setattr(auth, "HASHER", PasswordHasher.from_parameters(profiles.CHEAPEST))
    clock = Clock()
    app = create_app(
        {
            "SECRET_KEY": "browser-secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'insight.sqlite3'}",
            "LANTERN_INDEX_DIR": str(tmp_path / "index"),
            "LANTERN_STAFF_SLOWDOWN": 0,
            "LANTERN_INSIGHT_FLUSH_SECONDS": 0,
            "TWILIO_AUTH_TOKEN": "test-twilio-token",
            "RATELIMIT_ENABLED": False,
            "LANTERN_NOW": clock,
        }
    )
    run_week(app, clock)  # the week of 5 October 2026, through the real endpoints
    app.config["LANTERN_NOW"] = None  # back to the real clock (December 2026: 2026Q4)
    secret = add_staff(app, BOARD, "board")
    with LiveServer(app) as server:
        yield server, secret


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_the_board_sees_insight_without_script(browser, insight_server, lang):
    server, secret = insight_server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, server.url, BOARD, secret)
    page.goto(f"{server.url}{'' if lang == 'en' else '/' + lang}/staff/insight/")
    assert page.get_attribute("html", "lang") == lang
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ur" else "ltr")
    charts = page.locator("svg.chart[role=img]")
    assert charts.count() == 10
    # Each chart is named by its title and description, and has a table beside it.
    first = charts.first.get_attribute("aria-labelledby").split()
    assert page.locator(f"#{first[0]}").count() == 1 and page.locator(f"#{first[1]}").count() == 1
    assert page.locator("table.numbers").count() == 10
    assert page.locator("script").count() == 0
    channel = page.locator("#channel table.numbers")
    if lang == "en":
        assert "fewer than 5" in channel.inner_text()
        assert page.locator("h1").inner_text() == "Insight"
    else:
        assert "5 سے کم" in channel.inner_text()
    assert axe_violations(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"insight-{lang}.png"), full_page=True)
    context.close()


def test_the_page_works_with_javascript_off(browser, insight_server):
    server, secret = insight_server
    signed = browser.new_context(viewport={"width": 390, "height": 800})
    page = signed.new_page()
    sign_in(page, server.url, BOARD, secret)
    cookies = signed.cookies()
    context = browser.new_context(viewport={"width": 390, "height": 800}, java_script_enabled=False)
    context.add_cookies(cookies)
    bare = context.new_page()
    bare.goto(f"{server.url}/staff/insight/")
    bare.select_option("#quarter", "2026Q3")
    bare.click("form.quarter-choice button")
    bare.wait_for_url("**quarter=2026Q3")
    assert "2026Q3" in bare.locator("main p").first.inner_text()
    bare.screenshot(path=str(ARTIFACTS / "insight-phone.png"), full_page=False)
    context.close()
    signed.close()
