"""Chat limits in a real Chromium: many people behind one address, and nothing typed is lost."""

from __future__ import annotations

import pytest

from app import create_app
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def limits_server(tmp_path_factory):
    """A server of its own, so these counters start at zero; the shipped limits apply."""
    tmp = tmp_path_factory.mktemp("chat-limits")
    app = create_app(
        {
            "SECRET_KEY": "limits-browser-secret",
            "LANTERN_HMAC_KEY": "limits-browser-hmac",
            "DATABASE_URL": f"sqlite:///{tmp / 'limits.sqlite3'}",
            "LANTERN_INDEX_DIR": str(tmp / "index"),
        }
    )
    with LiveServer(app) as server:
        yield server


def send(page, text):
    before = page.locator(".chat-reply").count()
    page.fill("#chat-message", text)
    page.click("#chat-form button[type=submit]")
    # Either one more reply in the log, or a whole new page (the over-limit form).
    answered = "n => document.querySelectorAll('.chat-reply').length > n"
    replaced = "!document.getElementById('chat-log')"
    page.wait_for_function(f"{answered} || {replaced}", arg=before)


@pytest.fixture
def two_people(browser):
    contexts = [browser.new_context(viewport={"width": 360, "height": 740}) for _ in range(2)]
    yield [c.new_page() for c in contexts]
    for context in contexts:
        context.close()


def test_31_messages_from_one_address_as_two_people(limits_server, two_people):
    """Do 31 messages in a minute from one address, by two people, all get a reply?"""
    first, second = two_people
    for page in two_people:
        page.goto(limits_server.url + "/chat")
    for n in range(31):
        send(first if n % 2 else second, "hello")
    replies = [page.locator(".chat-reply").count() for page in two_people]
    assert sum(replies) == 31 + 2  # every message answered, plus each page's opening question
    # Past the conversation's own allowance, what was typed is kept and offered again.
    for _ in range(30 - 15):
        send(second, "hello")
    second.fill("#chat-message", "my brother's friend keeps messaging me")
    second.click("#chat-form button[type=submit]")
    second.wait_for_selector("h1:has-text('Please wait a moment')")
    assert second.input_value("#chat-message") == "my brother's friend keeps messaging me"
    assert second.locator(".danger a.tel").count() == 1  # 999 still on the page
    # A message that shows danger is answered even now.
    second.fill("#chat-message", "he is outside my house now and i am scared")
    second.click("#chat-form button[type=submit]")
    second.wait_for_selector(".chat-reply-danger")
