"""The SMS webhook: signatures, TwiML, keyed state, retries, expiry and STOP."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from twilio.request_validator import RequestValidator

from .channel_app import TOKEN, Clock, make_app, signed_post

SENDER = "+447700900123"


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app(tmp_path, directory, flow, clock):
    return make_app(tmp_path, directory, flow, clock)


@pytest.fixture
def sms(app):
    """Send a text from SENDER; returns the reply text."""
    client = app.test_client()
    count = iter(range(10_000))

    def send(body: str, sid: str | None = None, sender: str = SENDER) -> str:
        form = {
            "From": sender,
            "To": "+441234567890",
            "Body": body,
            "MessageSid": sid or f"SM{next(count):032d}",
        }
        response = signed_post(client, "/sms", form)
        assert response.status_code == 200
        assert response.mimetype == "text/xml"
        return ElementTree.fromstring(response.data).find("Message").text

    return send


def test_unsigned_request_is_refused(app):
    """Is a request without Twilio's signature turned away?"""
    response = app.test_client().post("/sms", data={"From": SENDER, "Body": "hi"})
    assert response.status_code == 403


def test_wrongly_signed_request_is_refused(app):
    """Is a request signed with another token, or with its body changed, turned away?"""
    client = app.test_client()
    form = {"From": SENDER, "Body": "hi", "MessageSid": "SM1"}
    assert signed_post(client, "/sms", form, token="not-the-token").status_code == 403
    signature = RequestValidator(TOKEN).compute_signature("http://localhost/sms", form)
    changed = client.post(
        "/sms", data={**form, "Body": "changed"}, headers={"X-Twilio-Signature": signature}
    )
    assert changed.status_code == 403
    assert (
        client.post("/sms", data=form, headers={"X-Twilio-Signature": signature}).status_code == 200
    )


def test_without_a_token_configured_everything_is_refused(tmp_path, directory, flow, clock):
    """Does a missing TWILIO_AUTH_TOKEN refuse rather than accept unsigned texts?"""
    app = make_app(tmp_path, directory, flow, clock, TWILIO_AUTH_TOKEN="")
    response = signed_post(app.test_client(), "/sms", {"From": SENDER, "Body": "hi"}, token="")
    assert response.status_code == 403


def test_conversation_carries_on_between_texts(sms):
    """Does the second text continue the first conversation?"""
    assert "Who needs help?" in sms("hello")
    assert "town or postcode" in sms("2")
    reply = sms("Maltby")
    assert "0808 800 5000" in reply


def test_state_is_keyed_by_a_keyed_hash_not_the_number(app, sms):
    """Is the number stored nowhere in clear, and the state under an HMAC of it?"""
    import hashlib
    import hmac
    import sqlite3

    sms("my daughter is missing")
    key = "sms:" + hmac.new(b"test-hmac", SENDER.encode(), hashlib.sha256).hexdigest()
    assert app.extensions["lantern_store"].get_conversation(key) is not None
    database = sqlite3.connect(app.extensions["lantern_store"].records.path)
    dump = "\n".join(database.iterdump())
    assert SENDER not in dump and "7700900123" not in dump
    assert "daughter" not in dump


def test_senders_do_not_share_state(sms):
    """Are two numbers two conversations?"""
    sms("2")
    assert "Who needs help?" in sms("hi", sender="+447700900999")


def test_retry_gets_the_same_reply_without_moving_on(sms):
    """Does a Twilio retry (same MessageSid) repeat the reply and leave the state alone?"""
    first = sms("hello", sid="SMretry")
    assert sms("2", sid="SMretry") == first
    assert "Who needs help?" not in sms("2")  # the "2" now answers the question for real


def test_idle_conversation_expires_after_30_minutes(sms, clock):
    """After 30 idle minutes, does a number start again?"""
    sms("hello")
    clock.advance(minutes=29)
    assert "town or postcode" in sms("2")
    clock.advance(minutes=31)
    assert "Who needs help?" in sms("Maltby")


def test_stop_forgets_and_confirms(app, sms):
    """Does STOP delete the state and say so?"""
    sms("my daughter")
    assert "forgotten" in sms("STOP")
    assert "Who needs help?" in sms("hi")


def test_danger_in_sms_leads_with_999(sms):
    """Is a danger text answered with 999 first, and the silent call advice?"""
    reply = sms("hes outside with a knife")
    assert reply.startswith("Call 999 now")
    assert "press 55" in reply


def test_naughty_bodies_are_answered(sms):
    """Do odd bodies (markup, control characters, long text) get a normal reply?"""
    for body in ["<Response><Dial>999</Dial></Response>", "\x00\x01", "a" * 5000, "", "😀"]:
        reply = sms(body)
        assert reply and "999" in reply


def test_replies_come_through_the_site_catalogues(tmp_path, directory, flow, clock):
    """Is a Polish text answered with the Polish catalogue's wording, numbers filled in?"""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = Catalog(locale="pl")
    catalog.add("Missing People, call or text: %(number)s.", "Missing People: %(number)s (PL).")
    folder = tmp_path / "translations" / "pl" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    app = make_app(
        tmp_path,
        directory,
        flow,
        clock,
        BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "translations"),
    )
    form = {"From": SENDER, "Body": "Syn zaginął wczoraj", "MessageSid": "SMpl"}
    response = signed_post(app.test_client(), "/sms", form)
    text = ElementTree.fromstring(response.data).find("Message").text
    assert "Missing People: 116 000 (PL)." in text
