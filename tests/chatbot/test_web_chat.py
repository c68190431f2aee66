"""The web chat: a plain form without JavaScript, a partial reply for chat.js, no trace kept."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.helpers import check_html

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def chat_app(app):
    if "chat" not in app.blueprints:
        from chatbot.channels import web

        app.register_blueprint(web.bp)
    return app


@pytest.fixture
def browser(chat_app):
    """A client that keeps the latest form token, as a browser keeps the page."""
    client = chat_app.test_client()

    class Browser:
        token = ""

        def get(self, path="/chat"):
            response = client.get(path)
            self._remember(response)
            return response

        def say(self, message, path="/chat", partial=False):
            headers = {"X-Lantern-Partial": "1"} if partial else {}
            response = client.post(
                path, data={"message": message, "csrf_token": self.token}, headers=headers
            )
            self._remember(response)
            return response

        def _remember(self, response):
            found = TOKEN.search(response.get_data(as_text=True))
            if found:
                self.token = found.group(1)

    browser = Browser()
    browser.client = client
    return browser


def _session(app, client) -> dict:
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    if cookie is None:
        return {}
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


def test_chat_page_works_without_javascript(chat_app, browser):
    """Does /chat show the first question as a plain form, with no cookie set yet?"""
    response = browser.get()
    assert response.status_code == 200
    page = check_html(response)
    html = response.get_data(as_text=True)
    assert "Who needs help?" in html
    assert 'name="message" value="2"' in html
    assert 'action="/chat"' in html
    assert "js/chat.js" in " ".join(s.get("src", "") for s in page.scripts)
    assert "Set-Cookie" not in response.headers


def test_post_without_token_is_refused(chat_app):
    """Is a message without the form's token refused?"""
    assert chat_app.test_client().post("/chat", data={"message": "hi"}).status_code == 400


def test_conversation_with_tap_to_call(chat_app, browser):
    """Does a conversation reach an answer whose numbers are tap-to-call links?"""
    browser.get()
    browser.say("my daughter")
    response = browser.say("Maltby")
    check_html(response)
    html = response.get_data(as_text=True)
    assert 'href="tel:+448088005000"' in html
    assert "my daughter" not in html  # only the latest message is echoed
    assert "Maltby" in html


def test_only_a_random_id_in_the_cookie_and_no_message_stored(chat_app, browser):
    """Is the session cookie a random id alone, and the message body nowhere in the store?"""
    browser.get()
    browser.say("my daughter in Maltby is being groomed")
    session = _session(chat_app, browser.client)
    assert set(session) == {"cid"}
    assert len(session["cid"]) >= 20
    store = chat_app.extensions["lantern_store"]
    assert store.get_conversation(f"web:{session['cid']}") is not None
    dump = "\n".join(sqlite3.connect(store.records.path).iterdump())
    assert "groomed" not in dump and "daughter" not in dump


def test_partial_reply_for_the_script(chat_app, browser):
    """Does chat.js get the exchange alone, with a fresh token for the next message?"""
    browser.get()
    response = browser.say("hello", partial=True)
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert 'class="chat-exchange" data-csrf="' in html
    assert "Who needs help?" in html


def test_danger_is_shown_first(chat_app, browser):
    """Does a danger message get the 999 line first, marked as danger?"""
    browser.get()
    html = browser.say("he is here and has a knife").get_data(as_text=True)
    reply = html[html.index('class="chat-reply chat-reply-danger"') :]
    assert reply.index("chat-danger") < reply.index("Who needs help?")
    assert 'href="tel:999"' in reply


def test_clear_forgets_the_conversation(chat_app, browser):
    """Does "clear this conversation" delete the state and the id?"""
    browser.get()
    browser.say("my daughter")
    cid = _session(chat_app, browser.client)["cid"]
    response = browser.client.post("/chat/clear", data={"csrf_token": browser.token})
    assert response.status_code == 303
    assert chat_app.extensions["lantern_store"].get_conversation(f"web:{cid}") is None
    assert "cid" not in _session(chat_app, browser.client)


def test_quick_exit_forgets_the_conversation(chat_app, browser):
    """Does /exit (quick exit) delete the chat state too?"""
    browser.get()
    browser.say("my daughter")
    cid = _session(chat_app, browser.client)["cid"]
    browser.client.get("/exit")
    assert chat_app.extensions["lantern_store"].get_conversation(f"web:{cid}") is None


def test_stop_in_the_web_chat(chat_app, browser):
    """Does STOP forget the conversation and drop the id?"""
    browser.get()
    browser.say("my daughter")
    html = browser.say("stop").get_data(as_text=True)
    assert "forgotten" in html
    assert "cid" not in _session(chat_app, browser.client)


def test_chat_in_urdu_is_right_to_left(chat_app, browser):
    """Is the Urdu chat page right to left, answering in Urdu?"""
    response = browser.get("/ur/chat")
    check_html(response, lang="ur")
    assert 'lang="ur" dir="rtl"' in response.get_data(as_text=True)


@pytest.mark.parametrize("message", ["<script>alert(1)</script>", "\x00", "a" * 5000, "%(number)s"])
def test_naughty_messages_are_escaped_and_answered(chat_app, browser, message):
    """Are odd messages answered, and echoed only escaped?"""
    browser.get()
    response = browser.say(message)
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.get_data(as_text=True)


def test_web_chat_keeps_every_line_that_sms_would_drop(chat_app, browser, flow, directory):
    """Does the web chat show every line of a long reply that SMS must shorten (Report Remove)?"""
    from chatbot import step
    from chatbot.segments import fits

    from .conftest import WEEKDAY, identity

    message = "im 14 and a man keeps asking for my nudes and says meet me tonight"
    _, sms = step(None, message, "en", WEEKDAY, directory=directory, flow=flow, translate=identity)
    _, web = step(
        None, message, "en", WEEKDAY, directory=directory, flow=flow, translate=identity, sms=False
    )
    assert fits(sms.text(), 2, 4)
    assert set(sms.contacts) < set(web.contacts) and "report-remove" in web.contacts
    browser.get()
    html = browser.say(message).get_data(as_text=True)
    assert "iwf.org.uk" in html and 'href="tel:999"' in html
