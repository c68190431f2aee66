"""Rate limits: per client, keyed by a hash, friendly when hit, never a 429 to Twilio."""

from __future__ import annotations

import re

import pytest
from flask import Response
from twilio.request_validator import RequestValidator

from app import create_app
from tests.services import REDIS_BASE, redis_prefix, require_services
from web.limits import LIMITS, client_key, limit, twilio_signed

ADDRESS = "203.0.113.9"


def _app(tmp_path, index_dir, **overrides):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "LANTERN_HMAC_KEY": "test-hmac",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'limits.sqlite3'}",
            "LANTERN_INDEX_DIR": str(index_dir),
            "TWILIO_AUTH_TOKEN": "test-twilio-token",
            "LANTERN_RATE_LIMITS": {
                "feedback": "2/minute",
                "search": "3/minute",
                "sms": "2/minute",
                "chat": "2/minute",
                "chat-start": "3/minute",
            },
            **overrides,
        }
    )

    # Stand-ins for the other blueprints' views, decorated exactly as they are.
    @limit("search")
    def search():
        return "results"

    @limit("sms")
    def sms():
        if not twilio_signed():
            return "", 403
        return Response("<Response/>", mimetype="text/xml")

    app.add_url_rule("/limits-test/services", "limits_search", search)
    app.add_url_rule("/api/limits-test/services", "limits_api_search", search)
    app.add_url_rule("/limits-test/sms", "limits_sms", sms, methods=["POST"])
    return app


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory, index_dir):
    # Building an app takes seconds: one serves every test here, its counters reset in between.
    return _app(tmp_path_factory.mktemp("limits"), index_dir)


@pytest.fixture
def limited_app(shared_app):
    shared_app.extensions["lantern_limiter"].reset()
    yield shared_app


def _feedback(client, address=ADDRESS):
    html = client.get("/families").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    data = {"csrf_token": token, "kind": "page", "target": "families", "helpful": "yes"}
    return client.post("/feedback", data=data, environ_base={"REMOTE_ADDR": address})


def test_every_named_limit_is_a_valid_rate():
    from limits import parse_many

    for value in LIMITS.values():
        assert parse_many(value)


def test_unknown_limit_name_is_refused():
    with pytest.raises(ValueError, match="unknown rate limit"):
        limit("chta")


def test_feedback_limit_gives_a_friendly_page_with_999(limited_app):
    """Does the third post in a minute get the 'wait a moment' page, still showing 999?"""
    client = limited_app.test_client()
    assert [_feedback(client).status_code for _ in range(2)] == [303, 303]
    stored = len(limited_app.extensions["lantern_store"].list_feedback())
    response = _feedback(client)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "999" in html
    assert 'href="tel:999"' in html or "tel:999" in html
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Cache-Control"] == "no-store"
    assert len(limited_app.extensions["lantern_store"].list_feedback()) == stored


def test_limits_are_per_client(limited_app):
    """Does one busy address leave everyone else alone?"""
    client = limited_app.test_client()
    for _ in range(3):
        _feedback(client)
    assert _feedback(client).status_code == 429
    assert _feedback(client, address="198.51.100.7").status_code == 303


def test_counters_are_keyed_by_a_hash_not_the_address(limited_app):
    """Is the client's address kept out of the rate-limit storage?"""
    client = limited_app.test_client()
    _feedback(client)
    storage = limited_app.extensions["lantern_limiter"].storage
    keys = " ".join(map(str, [*storage.storage, *getattr(storage, "events", {})]))
    assert keys, "the limit should have been counted"
    assert ADDRESS not in keys
    with limited_app.test_request_context(environ_base={"REMOTE_ADDR": ADDRESS}):
        hashed = client_key()
    assert re.fullmatch(r"[0-9a-f]{32}", hashed)
    assert hashed in keys


def test_key_depends_on_the_secret(limited_app):
    """Could someone who knows an address work out its counter without the key?"""
    keys = []
    for secret in ("one", "two"):
        with limited_app.test_request_context(environ_base={"REMOTE_ADDR": ADDRESS}):
            limited_app.config["LANTERN_HMAC_KEY"] = secret
            keys.append(client_key())
    limited_app.config["LANTERN_HMAC_KEY"] = "test-hmac"
    assert keys[0] != keys[1]


def test_search_limit_shared_by_page_and_api(limited_app):
    """Do /services and /api/services draw on one allowance, the API answering in JSON?"""
    client = limited_app.test_client()
    paths = ["/limits-test/services", "/api/limits-test/services", "/limits-test/services"]
    assert [client.get(p).status_code for p in paths] == [200, 200, 200]
    response = client.get("/api/limits-test/services")
    assert response.status_code == 429
    assert response.is_json and "error" in response.get_json()
    assert client.get("/limits-test/services").status_code == 429


def _sms(client, path, sender, sid="SM1", sign=True, body="help"):
    data = {"From": sender, "To": "+447700900000", "Body": body, "MessageSid": sid}
    signature = RequestValidator("test-twilio-token").compute_signature(
        f"http://localhost{path}", data
    )
    headers = {"X-Twilio-Signature": signature if sign else "forged"}
    return client.post(path, data=data, headers=headers)


# Written out, not rebuilt with sms_over_limit(): the numbers are content/services' 999 and
# Childline lines as displayed.
OVER_LIMIT_TEXT = (
    "You have sent a lot of messages. If you are in danger now, call 999. "
    "Childline is free, day or night: 0800 1111. Please text again in a few minutes."
)


def _assert_over_limit_twiml(app, response):
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    body = response.get_data(as_text=True)
    assert body == (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Response><Message>{OVER_LIMIT_TEXT}</Message></Response>"
    ), body
    assert len(OVER_LIMIT_TEXT) <= 306 and OVER_LIMIT_TEXT.isascii()


def test_sms_over_limit_gets_twiml_with_999_and_childline(limited_app):
    """Does a texter over the limit get a short TwiML reply with 999 and Childline, not a 429?"""
    client = limited_app.test_client()
    path, sender = "/limits-test/sms", "+447700900123"
    for n in range(2):
        assert _sms(client, path, sender, sid=f"SM{n}").data == b"<Response/>"
    _assert_over_limit_twiml(limited_app, _sms(client, path, sender, sid="SM3"))
    # Another number still gets through: the key is the sender, not Twilio's shared address.
    assert _sms(client, path, "+447700900456").data == b"<Response/>"


def test_sms_danger_is_answered_over_the_limit(limited_app):
    """Over the limit, is a text that shows danger passed to the engine, not the busy reply?"""
    client = limited_app.test_client()
    path, sender = "/limits-test/sms", "+447700900777"
    for n in range(2):
        _sms(client, path, sender, sid=f"SM{n}")
    _assert_over_limit_twiml(limited_app, _sms(client, path, sender, sid="SM3"))
    danger = _sms(
        client, path, sender, sid="SM4", body="he is outside my house now and i am scared"
    )
    assert danger.data == b"<Response/>"  # the stand-in view answered


def test_forged_sms_neither_count_nor_reveal_the_limit(limited_app):
    """Can unsigned requests naming someone's number lock them out, or show they are busy?"""
    client = limited_app.test_client()
    path, sender = "/limits-test/sms", "+447700900123"
    for _ in range(5):
        assert _sms(client, path, sender, sign=False).status_code == 403
    for n in range(2):
        assert _sms(client, path, sender, sid=f"SM{n}").data == b"<Response/>"
    # Over the limit now, yet a forger still only sees 403.
    assert _sms(client, path, sender, sign=False).status_code == 403


def test_real_sms_webhook_is_limited(limited_app):
    """Is the real /sms webhook wired to the limit, answering TwiML when it is hit?"""
    client = limited_app.test_client()
    replies = [_sms(client, "/sms", "+447700900789", sid=f"SMreal{n}") for n in range(3)]
    assert [r.status_code for r in replies] == [200, 200, 200]
    _assert_over_limit_twiml(limited_app, replies[-1])


def test_limits_can_be_switched_off(tmp_path, index_dir):
    app = _app(tmp_path, index_dir, RATELIMIT_ENABLED=False)
    client = app.test_client()
    assert all(client.get("/limits-test/services").status_code == 200 for _ in range(6))


def test_redis_limits_are_shared_between_instances(tmp_path, index_dir):
    """With REDIS_URL, do two app instances count one client's requests together?"""
    require_services()
    with redis_prefix() as prefix:
        settings = {"REDIS_URL": REDIS_BASE, "RATELIMIT_KEY_PREFIX": prefix}
        first = _app(tmp_path / "a", index_dir, **settings).test_client()
        second = _app(tmp_path / "b", index_dir, **settings).test_client()
        codes = [c.get("/limits-test/services").status_code for c in (first, second, first)]
        assert codes == [200, 200, 200]
        assert second.get("/limits-test/services").status_code == 429
        for client in (first, second):
            client.application.extensions["lantern_store"].conversations.close()


def _chat(client, message="hello", address=ADDRESS):
    html = client.get("/chat").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    data = {"csrf_token": token, "message": message}
    return client.post("/chat", data=data, environ_base={"REMOTE_ADDR": address})


def test_real_chat_is_limited_per_conversation(limited_app):
    """Past its allowance, does a conversation get a page with 999 and the message kept?"""
    client = limited_app.test_client()
    # The first message starts the conversation (counted per address), then 2 a minute.
    codes = [_chat(client).status_code for _ in range(3)]
    response = _chat(client, "what do i do about my cousin")
    assert codes == [200, 200, 200] and response.status_code == 429
    html = response.get_data(as_text=True)
    assert "999" in html
    assert ">what do i do about my cousin</textarea>" in html


def test_two_people_behind_one_address_each_get_their_own_allowance(limited_app):
    """Do two people on one school Wi-Fi address each keep chatting after the other's turn?"""
    first, second = limited_app.test_client(), limited_app.test_client()
    codes = [_chat(first).status_code for _ in range(3)]
    codes += [_chat(second).status_code for _ in range(3)]
    assert codes == [200] * 6


def test_starting_conversations_is_limited_per_address(limited_app):
    """Does a script that drops its cookie to start afresh each time still meet a limit?"""
    codes = [_chat(limited_app.test_client()).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_danger_is_answered_whatever_the_limits(limited_app):
    """Over every limit, is a message that shows danger still answered, leading with 999?"""
    client = limited_app.test_client()
    for _ in range(3):
        _chat(client)
    assert _chat(client).status_code == 429
    response = _chat(client, "he is outside my house now and i am scared")
    assert response.status_code == 200
    assert "chat-reply-danger" in response.get_data(as_text=True)


def test_real_search_is_limited(limited_app):
    """Do the search page and the API share the search allowance?"""
    client = limited_app.test_client()
    searches = ("/services?q=police", "/api/services", "/services?q=rape")
    codes = [client.get(p).status_code for p in searches]
    assert codes == [200, 200, 200]
    assert client.get("/services?q=help").status_code == 429
    api = client.get("/api/services")
    assert api.status_code == 429 and api.is_json


def test_feedback_that_shows_danger_goes_through_over_the_limit(limited_app):
    """Over the feedback limit, is a comment that shows danger still taken, with help after?"""
    client = limited_app.test_client()
    for _ in range(2):
        _feedback(client)
    assert _feedback(client).status_code == 429
    html = client.get("/families").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    data = {
        "csrf_token": token,
        "target": "families",
        "comment": "he is outside my house now and i am scared",
    }
    response = client.post("/feedback", data=data, environ_base={"REMOTE_ADDR": ADDRESS})
    assert response.status_code == 303
    assert "feedback=sent" in response.headers["Location"]
