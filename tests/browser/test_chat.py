"""The web chat in a real Chromium: with JavaScript off, with it on, and through axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app import create_app
from tests.browser.conftest import LiveServer
from tests.browser.test_site import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chat_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("chat-live")
    app = create_app(
        {
            "SECRET_KEY": "chat-browser-secret",
            "LANTERN_HMAC_KEY": "chat-browser-hmac",
            "DATABASE_URL": f"sqlite:///{tmp / 'chat.sqlite3'}",
            "LANTERN_INDEX_DIR": str(tmp / "index"),
        }
    )
    with LiveServer(app) as server:
        app.config["LANTERN_EXIT_URL"] = f"{server.url}/healthz"
        server.shots = tmp_path_factory.mktemp("chat-shots")
        yield server


def test_chat_without_javascript(chat_server, no_js):
    """With JavaScript off, can someone reach an answer by buttons and typing?"""
    page = no_js
    page.goto(chat_server.url + "/chat")
    page.get_by_role("button", name="I am worried about a child").click()
    assert "Which town or postcode" in page.locator(".chat-reply").last.inner_text()
    page.get_by_label("Your message").fill("Maltby")
    page.get_by_role("button", name="Send").click()
    reply = page.locator(".chat-reply").last
    assert reply.locator('a[href="tel:+448088005000"]').count() == 1
    page.get_by_role("button", name="Clear this conversation").click()
    assert "Who needs help?" in page.locator(".chat-reply").last.inner_text()


def test_a_danger_reply_shows_999_first_and_takes_the_focus(chat_server, phone):
    """After danger, is the 999 line on screen, the focus on the reply, and no SMS words?"""
    page = phone
    page.goto(chat_server.url + "/chat")
    page.get_by_label("Your message").fill("hes outside my house with a knife")
    page.get_by_role("button", name="Send").click()
    reply = page.locator(".chat-reply").last
    expect(reply).to_be_focused()
    first = reply.locator("p:not(.visually-hidden)").first
    assert "999" in first.inner_text()
    assert first.locator('a[href="tel:999"]').count() == 1
    box = first.bounding_box()
    bar = page.locator(".exit-bar").bounding_box()
    assert box is not None and bar is not None
    assert bar["y"] + bar["height"] <= box["y"] < page.viewport_size["height"]  # not under the bar
    assert "MENU" not in reply.inner_text()  # web chat offers buttons, never SMS words
    page.screenshot(path=str(chat_server.shots / "chat-danger-360.png"))


def test_a_young_person_can_keep_going_after_the_answer(chat_server, no_js):
    """After Childline, are what-next options buttons, and does "talk now" link call and chat?"""
    page = no_js
    page.goto(chat_server.url + "/chat")
    page.get_by_label("Your message").fill("im 14 and a man online keeps asking for pics")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("button", name="Talk to someone now").click()
    reply = page.locator(".chat-reply").last
    assert reply.locator('a[href="tel:+448001111"]').count() == 1
    assert reply.locator('a[href^="https://www.childline.org.uk"]').count() == 1
    assert page.get_by_role("button", name="Start again").count() >= 1


def test_chat_with_javascript_does_not_reload(chat_server, phone):
    """With JavaScript on, are replies added to the page without loading a new one?"""
    page = phone
    page.goto(chat_server.url + "/chat")
    page.evaluate("window.stillHere = true")
    page.get_by_label("Your message").fill("my daughter")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".chat-exchange")).to_have_count(2)
    page.locator(".chat-exchange").last.get_by_role("button", name="I do not know").click()
    expect(page.locator(".chat-exchange")).to_have_count(3)
    assert page.evaluate("window.stillHere") is True
    last = page.locator(".chat-reply").last
    assert last.locator('a[href="tel:+448088005000"]').count() == 1
    assert page.get_by_label("Your message").input_value() == ""


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_chat_passes_axe(chat_server, desktop, lang):
    """Does the chat page, mid-conversation, have no WCAG 2.2 A/AA violations?"""
    prefix = "" if lang == "en" else f"/{lang}"
    desktop.goto(chat_server.url + prefix + "/chat")
    desktop.fill("#chat-message", "he is here with a knife")
    desktop.locator("#chat-form button[type=submit]").click()
    expect(desktop.locator(".chat-exchange")).to_have_count(2)
    assert axe_violations(desktop) == []
