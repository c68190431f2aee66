"""When Redis or PostgreSQL fails, do quick exit, the 999 replies, pages and feedback hold?

The app talks to the machine's PostgreSQL and Redis through a FaultProxy each, and only the
proxies fail, so these tests cannot disturb another run using the same servers. Each case
breaks one part (or both) in one way, checks every promise, then restores it mid-test and
checks that the conversation, feedback and the deletes that had to wait all come back.
"""

from __future__ import annotations

import re
import secrets
import time
from xml.etree import ElementTree

import pytest
from twilio.request_validator import RequestValidator

from app import create_app
from tests.faults.proxy import fault_proxy
from tests.services import postgres_database, redis_prefix, require_services

pytestmark = pytest.mark.services

TOKEN = "fault-twilio-token"
EXIT_URL = "https://www.bbc.co.uk/weather"
COOLDOWN = 0.3
# One storage call may take LANTERN_STORAGE_TIMEOUT (0.5 s); a request makes a few, and a part
# that failed is then skipped at once. Well under what a phone or Twilio would wait.
PROMPT = 1.5
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
DANGER = "I want to kill myself"


@pytest.fixture(scope="module")
def servers():
    """A PostgreSQL database and a Redis prefix of our own, each behind a proxy."""
    require_services()
    with (
        postgres_database() as database_url,
        redis_prefix() as prefix,
        fault_proxy(5432) as pg,
        fault_proxy(6379) as redis,
    ):
        yield database_url, prefix, pg, redis


def _build(tmp_path, index_dir, database_url, redis_url, prefix) -> object:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "fault-secret",
            "LANTERN_HMAC_KEY": secrets.token_hex(8),  # every case keys its texters afresh
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "LANTERN_REDIS_PREFIX": prefix,
            "LANTERN_INDEX_DIR": str(index_dir),
            "LANTERN_STORAGE_COOLDOWN": COOLDOWN,
            "LANTERN_EXIT_URL": EXIT_URL,
            "TWILIO_AUTH_TOKEN": TOKEN,
        }
    )


class Visitor:
    """A web visitor and a texter, timing every request."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.sender = f"+4477009{secrets.randbelow(10**5):05d}"
        self.count = 0
        self.slowest = 0.0

    def _timed(self, call, *args, **kwargs):
        started = time.monotonic()
        response = call(*args, **kwargs)
        took = time.monotonic() - started
        self.slowest = max(self.slowest, took)
        assert took < PROMPT, f"{args[0]} took {took:.2f} s"
        return response

    def get(self, path: str):
        return self._timed(self.client.get, path)

    def post(self, path: str, data: dict):
        return self._timed(self.client.post, path, data=data)

    def text(self, body: str) -> str:
        self.count += 1
        form = {
            "From": self.sender,
            "To": "+441234567890",
            "Body": body,
            "MessageSid": f"SM{secrets.token_hex(16)}",
        }
        signature = RequestValidator(TOKEN).compute_signature("http://localhost/sms", form)
        response = self._timed(
            self.client.post, "/sms", data=form, headers={"X-Twilio-Signature": signature}
        )
        assert response.status_code == 200, response.status_code
        assert response.mimetype == "text/xml"
        texts = [m.text for m in ElementTree.fromstring(response.data).iter("Message")]
        return "\n".join(texts)

    def chat(self, message: str) -> str:
        token = CSRF.search(self.get("/chat").get_data(as_text=True)).group(1)
        response = self.post("/chat", {"message": message, "csrf_token": token})
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)

    def feedback(self, comment: str):
        token = CSRF.search(self.get("/families").get_data(as_text=True)).group(1)
        data = {"csrf_token": token, "kind": "page", "target": "families", "helpful": "no"}
        return self.post("/feedback", {**data, "comment": comment})

    def cid(self) -> str | None:
        cookie = self.client.get_cookie(self.app.config["SESSION_COOKIE_NAME"])
        if cookie is None:
            return None
        loads = self.app.session_interface.get_signing_serializer(self.app).loads
        return loads(cookie.value).get("cid")


# (deployment, what fails, how). Conversations live in Redis when it is configured, else in
# PostgreSQL; feedback always in PostgreSQL.
CASES = [
    ("postgresql", ["pg"], "cut"),
    ("postgresql", ["pg"], "blackhole"),
    ("postgresql+redis", ["redis"], "cut"),
    ("postgresql+redis", ["redis"], "blackhole"),
    ("postgresql+redis", ["pg"], "cut"),
    ("postgresql+redis", ["pg"], "blackhole"),
    ("postgresql+redis", ["pg", "redis"], "cut"),
    ("postgresql+redis", ["pg", "redis"], "blackhole"),
]


@pytest.mark.parametrize(
    "deployment, broken, how", CASES, ids=[f"{d}-{'+'.join(b)}-{h}" for d, b, h in CASES]
)
def test_every_promise_holds_through_a_storage_fault_and_its_repair(
    servers, tmp_path, index_dir, deployment, broken, how
):
    """With a part down or hung, do exit, danger replies, pages and feedback hold; once it is
    back, does everything carry on and is what had to wait done?"""
    database_url, prefix, pg, redis = servers
    proxied_db = re.sub(r"@[^/]+/", f"@127.0.0.1:{pg.port}/", database_url)
    redis_url = f"redis://127.0.0.1:{redis.port}/0" if "redis" in deployment else ""
    app = _build(tmp_path, index_dir, proxied_db, redis_url, prefix)
    store = app.extensions["lantern_store"]
    proxies = {"pg": pg, "redis": redis}
    conversations_down = "redis" in broken if redis_url else "pg" in broken
    records_down = "pg" in broken

    visitor = Visitor(app)
    assert "Who needs help?" in visitor.chat("hello")  # a chat begun while all was well
    cid = visitor.cid()
    assert store.get_conversation(f"web:{cid}") is not None
    texter = Visitor(app)
    assert "Who needs help?" in texter.text("hello")

    try:
        for name in broken:
            getattr(proxies[name], how)()

        # Quick exit: redirect, cookie expired, Clear-Site-Data, whatever storage does.
        response = visitor.get("/exit")
        assert response.status_code == 303
        assert response.headers["Location"] == EXIT_URL
        assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
        cookie = app.config["SESSION_COOKIE_NAME"]
        assert any(
            h.startswith(f"{cookie}=;") and "Expires=Thu, 01 Jan 1970" in h
            for h in response.headers.getlist("Set-Cookie")
        ), response.headers.getlist("Set-Cookie")
        assert visitor.cid() is None
        beacon = visitor.post("/exit", {})
        assert beacon.status_code == 204 and "Clear-Site-Data" in beacon.headers

        # The danger answer by SMS, first text or mid-conversation, and said when not remembered.
        reply = texter.text(DANGER)
        assert "999" in reply and "116 123" in reply, reply
        assert ("cannot remember" in reply) == conversations_down, reply
        fresh = Visitor(app).text(DANGER)
        assert "999" in fresh and "116 123" in fresh, fresh

        # STOP is answered, and says so when the conversation could not be deleted yet.
        stopped = texter.text("STOP")
        assert "forgotten" in stopped
        assert ("could not delete" in stopped) == conversations_down, stopped

        # The danger answer by voice (the menu keeps no state: it must not start needing it).
        form = {"From": texter.sender, "CallSid": "CA1", "SpeechResult": DANGER}
        signature = RequestValidator(TOKEN).compute_signature("http://localhost/voice", form)
        spoken = visitor._timed(
            visitor.client.post, "/voice", data=form, headers={"X-Twilio-Signature": signature}
        )
        assert spoken.status_code == 200 and b"999" in spoken.data

        # The danger answer in the web chat.
        page = Visitor(app).chat(DANGER)
        assert 'href="tel:999"' in page and "116 123" in page
        assert ("cannot remember" in page) == conversations_down

        # Pages, search and the health check.
        for path in ("/", "/young-people", "/ur/families", "/services?q=counselling", "/chat"):
            assert visitor.get(path).status_code == 200, path
        health = visitor.get("/healthz")
        assert health.status_code == 200
        parts = health.get_json()["parts"]
        assert parts["pages"] == "ok"
        assert (parts["database"] == "down") == records_down
        if redis_url:
            assert (parts["redis"] == "down") == ("redis" in broken)
        assert health.get_json()["status"] == "degraded"

        # Feedback: kept, or handed back with what was typed and a way to send it again.
        response = visitor.feedback("the number on this page = wrong")
        if records_down:
            assert response.status_code == 503
            body = response.get_data(as_text=True)
            assert "could not save" in body
            assert "the number on this page = wrong</textarea>" in body
            assert 'value="no" checked' in body
        else:
            assert response.status_code == 303
            # Saved: a comment leads to the help that opens the next page (issue 12).
            assert "feedback=sent&n=" in response.headers["Location"]
    finally:
        for name in broken:
            proxies[name].restore()

    time.sleep(COOLDOWN + 0.1)
    assert visitor.get("/healthz").get_json() == {
        "status": "ok",
        "parts": {"pages": "ok", "database": "ok", **({"redis": "ok"} if redis_url else {})},
    }
    again = Visitor(app)
    assert "Who needs help?" in again.text("hello")
    assert "town or postcode" in again.text("2")  # state is kept again
    assert visitor.feedback("saved after the repair").status_code == 303
    comments = [item.comment for item in store.list_feedback()]
    assert "saved after the repair" in comments
    # The chat quick exit could not delete, and the texts STOP could not, are gone now.
    assert store.get_conversation(f"web:{cid}") is None
    with app.test_request_context():
        from chatbot.channels.common import keyed_hash

        assert store.get_conversation(keyed_hash("sms", texter.sender)) is None
    assert all(g.pending == 0 for g in store.guards.values())


def test_a_locked_sqlite_database_holds_nothing_up(app, tmp_path):
    """When another process holds SQLite's write lock, do replies and exit still come at once,
    and is feedback handed back rather than lost?"""
    import sqlite3

    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    app.config["LANTERN_EXIT_URL"] = EXIT_URL
    visitor = Visitor(app)
    visitor.chat("hello")
    locker = sqlite3.connect(app.extensions["lantern_store"].records.path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        reply = visitor.text(DANGER)
        assert "999" in reply and "116 123" in reply
        assert visitor.get("/exit").status_code == 303
        assert visitor.feedback("kept for later").status_code == 503
    finally:
        locker.execute("ROLLBACK")
        locker.close()


def test_a_store_that_never_answers_costs_one_timeout_then_nothing(tmp_path):
    """Does a hung server hold a request for the timeout once, then not at all while it rests?"""
    require_services()
    from storage import StorageUnavailable, open_store

    with fault_proxy(6379) as redis, redis_prefix() as prefix:
        store = open_store(
            f"sqlite:///{tmp_path / 's.sqlite3'}",
            f"redis://127.0.0.1:{redis.port}/0",
            redis_prefix=prefix,
            timeout=0.4,
            cooldown=30,
        )
        store.put_conversation("k", {"node": "start"}, 60)
        redis.blackhole()
        started = time.monotonic()
        with pytest.raises(StorageUnavailable):
            store.get_conversation("k")
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(20):
            with pytest.raises(StorageUnavailable):
                store.get_conversation("k")
        rest = time.monotonic() - started
        assert 0.35 < first < 0.8, first
        assert rest < 0.05, rest
        redis.restore()
        store.close()
