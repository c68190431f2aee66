"""Proof of scale-out: two instances sharing PostgreSQL and Redis carry one SMS conversation."""

from __future__ import annotations

import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from html import unescape

import pytest

from tests.servers import gunicorn, signed_sms
from tests.services import clear_redis, postgres_database, require_services

pytestmark = [pytest.mark.services, pytest.mark.slow]


def _text(base: str, sender: str, body: str, sid: str | None = None) -> str:
    """Send one signed text to `base`/sms and return the reply's message text."""
    params, headers = signed_sms(base, sender, body, sid or f"SM{secrets.token_hex(16)}")
    request = urllib.request.Request(
        f"{base}/sms", data=urllib.parse.urlencode(params).encode(), headers=headers
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert response.headers.get_content_type() in ("text/xml", "application/xml")
        twiml = response.read().decode("utf-8")
    return unescape(" ".join(re.findall(r"<Message[^>]*>(.*?)</Message>", twiml, re.S)))


@pytest.fixture(scope="module")
def instances(tmp_path_factory):
    require_services()
    import redis

    # A spare Redis database keeps the instances' keys (default prefix) apart from anyone else's.
    db = 8 + secrets.randbelow(8)
    redis_url = f"redis://127.0.0.1:6379/{db}"
    workdir = tmp_path_factory.mktemp("scale")
    with postgres_database() as database_url:
        env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
        with (
            gunicorn(workdir / "a", env, workers=1) as first,
            gunicorn(workdir / "b", env, workers=1) as second,
        ):
            yield first, second, redis.Redis.from_url(redis_url)
    clear_redis(redis_url)


def test_conversation_continues_on_the_other_instance(instances):
    """Does a texter who starts on one instance carry on where they were on the other?"""
    first, second, _ = instances
    script = ["hello", "2", "0"]  # who is writing -> worried about a child -> area unknown

    # The whole conversation on one instance, as a reference.
    reference = [_text(first.base, "+447700900101", body) for body in script]
    # The same conversation, alternating between the instances.
    bases = [first.base, second.base, first.base]
    alternating = [_text(b, "+447700900102", body) for b, body in zip(bases, script, strict=True)]
    # Starting afresh with the last message shows that the state is what made the difference.
    fresh = _text(second.base, "+447700900103", script[-1])

    assert alternating == reference
    assert alternating[-1] != fresh
    assert all(reply.strip() for reply in alternating)


def test_a_twilio_retry_to_the_other_instance_gets_the_same_reply(instances):
    """When Twilio retries a text on another instance, is it answered once, the same way?"""
    first, second, _ = instances
    reference = [_text(first.base, "+447700900106", body) for body in ("hello", "2", "0")]
    sender, sid = "+447700900104", f"SM{secrets.token_hex(16)}"
    _text(first.base, sender, "hello")
    original = _text(first.base, sender, "2", sid=sid)
    retried = _text(second.base, sender, "2", sid=sid)
    assert retried == original == reference[1]
    # The conversation moved on once, not twice: the next text gets the expected answer.
    assert _text(second.base, sender, "0") == reference[2]


def _value(client, key: bytes) -> bytes:
    """Return what Redis holds under `key`, whatever its type (strings, and sets of key names)."""
    if client.type(key) == b"set":
        return b" ".join(sorted(client.smembers(key)))
    return client.get(key) or b""


def test_shared_state_holds_no_phone_number(instances):
    """Is the conversation kept in Redis under a keyed hash, with no number in clear?"""
    first, _, client = instances
    _text(first.base, "+447700900105", "hello")
    stored = b" ".join(
        [key + b" " + _value(client, key) for key in client.scan_iter(match="lantern:*")]
    )
    assert stored, "conversation state should be in Redis"
    for form in (b"447700900105", b"7700900105", b"07700 900105"):
        assert form not in stored
