"""A scripted week through the real endpoints, then every table and key read back.

Questions: do the counters hold what the week did, and does storage hold nothing finer than
counters once the short-lived conversation state has expired?
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from twilio.request_validator import RequestValidator

from app import create_app
from storage.insight import is_valid
from tests.services import postgres_database, require_services

LONDON = ZoneInfo("Europe/London")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
TWILIO = "test-twilio-token"
MONDAY = date(2026, 10, 5)  # 2026Q4, British Summer Time (UTC+1)
REDIS_DB = "redis://127.0.0.1:6379/13"

WORRIED_EN = "my daughter is being groomed, we live in Rotherham"
WORRIED_PL = "moja córka jest wykorzystywana, mieszkamy w Rotherham"
YOUNG_PL = "Mam 15 lat i facet prosi mnie o zdjęcia"
DANGER = "he says he will kill me tonight"
SMS_SCRIPT = ("hello", "2", "Maltby")
NONSENSE = ("xyzzyplugh", "qwertyzzk")
# What people typed: none of it may be found anywhere in storage (the SMS "2" is too short to
# search for, and "hello" is a word other data holds).
TYPED = (WORRIED_EN, WORRIED_PL, YOUNG_PL, DANGER, "Maltby", "groomed", "córka", *NONSENSE)

METRICS = {
    "answer": {
        "all",
        "hour",
        "channel",
        "language",
        "audience",
        "route",
        "topic",
        "area",
        "danger",
        "front_door",
        "door",
    },
    "danger": {"all", "hour", "channel", "kind"},
    "search": {"all", "hour", "language", "result", "need", "audience", "area"},
    "page": {"all", "hour", "page", "language"},
    "feedback": {"all", "hour", "page"},
}


class Clock:
    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.moment

    def at(self, day: int, hour: int) -> None:
        local = datetime.combine(MONDAY + timedelta(days=day), datetime.min.time(), LONDON)
        self.moment = (local + timedelta(hours=hour, minutes=10)).astimezone(UTC)


@contextlib.contextmanager
def backend(kind: str, tmp_path):
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'week.sqlite3'}", ""
        return
    require_services()
    with postgres_database() as url:
        yield url, REDIS_DB


@pytest.fixture(params=["sqlite", "postgresql+redis"])
def week(request, tmp_path, index_dir):
    clock = Clock()
    with backend(request.param, tmp_path) as (database_url, redis_url):
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret",
                "LANTERN_HMAC_KEY": "test-hmac",
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "LANTERN_INDEX_DIR": str(index_dir),
                "LANTERN_INSIGHT_FLUSH_SECONDS": 0,
                "TWILIO_AUTH_TOKEN": TWILIO,
                "LANTERN_NOW": clock,
            }
        )
        senders = run_week(app, clock)
        yield app, senders
        for name in ("lantern_staff", "lantern_insight"):
            extension = app.extensions[name]
            getattr(extension, "store", extension).close()
        shared = app.extensions["lantern_store"]
        getattr(shared, "records", shared).close()
        if redis_url:
            app.extensions["lantern_store"].conversations.close()
            client = _redis(redis_url)
            for key in _our_redis_keys(client, senders):
                client.delete(key)
            client.close()


def _redis(url: str):
    import redis

    return redis.Redis.from_url(url)


def _our_redis_keys(client, senders) -> list[bytes]:
    return [k for k in client.scan_iter(match="*", count=1000) if not k.startswith(b"lantern-")]


def sms(client, sender: str, body: str, sid: str):
    form = {"From": sender, "Body": body, "MessageSid": sid}
    signature = RequestValidator(TWILIO).compute_signature("http://localhost/sms", form)
    response = client.post("/sms", data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    return response


def chat(app, message: str, lang: str = "en") -> None:
    client = app.test_client()  # a new browser, a new conversation
    prefix = "" if lang == "en" else f"/{lang}"
    html = client.get(f"{prefix}/chat").get_data(as_text=True)
    response = client.post(
        f"{prefix}/chat", data={"message": message, "csrf_token": TOKEN.search(html).group(1)}
    )
    assert response.status_code == 200


def feedback(client, helpful: str) -> None:
    html = client.get("/young-people?feedback=1").get_data(as_text=True)
    token = TOKEN.search(html, html.find('action="/feedback"')).group(1)
    form = {"kind": "page", "target": "young-people", "helpful": helpful, "csrf_token": token}
    assert client.post("/feedback", data=form).status_code == 303


def run_week(app, clock) -> list[str]:
    """Play the week; return the phone numbers that texted."""
    client = app.test_client()
    senders = [f"+4477009{n:05d}" for n in range(1, 13)]
    texts = iter(senders)
    sid = iter(range(1, 1000))

    def text_conversation(*messages):
        sender = next(texts)
        for body in messages:
            sms(client, sender, body, f"SM{next(sid):032d}")

    clock.at(0, 10)  # Monday 10:00: three worried parents text, in office hours
    for _ in range(3):
        text_conversation(*SMS_SCRIPT)
    # ... and Twilio retries the last text of one of them: answered again, not counted again
    form = {"From": senders[0], "Body": "Maltby", "MessageSid": f"SM{3:032d}"}
    signature = RequestValidator(TWILIO).compute_signature("http://localhost/sms", form)
    client.post("/sms", data=form, headers={"X-Twilio-Signature": signature})

    clock.at(1, 21)  # Tuesday 21:00: two more, out of hours
    for _ in range(2):
        text_conversation(*SMS_SCRIPT)

    clock.at(2, 16)  # Wednesday 16:00: four web chats in English
    for _ in range(4):
        chat(app, WORRIED_EN)

    clock.at(3, 13)  # Thursday 13:00: searches
    for _ in range(5):
        assert client.get("/services?q=counselling").status_code == 200
    for _ in range(3):
        client.get(f"/services?q={NONSENSE[0]}&category=counselling")
    client.get(f"/services?q={NONSENSE[1]}")
    client.get("/services?q=counselling&page=2")  # the next page of a search: not a new one

    clock.at(4, 9)  # Friday 09:00: a page read six times, and its feedback
    for _ in range(6):
        assert client.get("/young-people").status_code == 200
    for answer in ("no", "no", "yes"):
        feedback(client, answer)

    clock.at(5, 11)  # Saturday 11:00: Polish chats, one of them a young person
    chat(app, WORRIED_PL, "pl")
    chat(app, WORRIED_PL, "pl")
    chat(app, YOUNG_PL, "pl")

    clock.at(6, 23)  # Sunday 23:00: two messages in danger
    chat(app, DANGER)
    chat(app, DANGER)

    for sender in senders[5:]:  # the rest text once and say nothing more
        sms(client, sender, "hello", f"SM{next(sid):032d}")
    return senders


def read_everything(app) -> dict[str, list[tuple]]:
    """Return every row of every table in the SQL database."""
    store = app.extensions["lantern_insight"].store
    if store.postgres:
        names = [
            r[0]
            for r in store._run(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
                (),
                True,
            )
        ]
    else:
        names = [
            r[0] for r in store._run("SELECT name FROM sqlite_master WHERE type='table'", (), True)
        ]
    # Table names come from the database's own catalogue.
    return {n: store._run(f"SELECT * FROM {n}", (), True) for n in names}


def columns(app, table: str) -> list[str]:
    store = app.extensions["lantern_insight"].store
    if store.postgres:
        rows = store._run(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position",
            (table,),
            True,
        )
        return [r[0] for r in rows]
    return [r[1] for r in store._run(f"PRAGMA table_info({table})", (), True)]


def forbidden(app, senders) -> list[str]:
    """Return everything identifying or typed that must never be stored."""
    from chatbot.channels.common import keyed_hash

    with app.app_context():
        hashes = [keyed_hash("sms", s) for s in senders]
    return [
        *TYPED,
        *senders,
        *(s.removeprefix("+44") for s in senders),
        *hashes,
        *(h.split(":", 1)[1] for h in hashes),
        "127.0.0.1",
    ]


def test_the_counters_hold_what_the_week_did(week):
    app, _ = week
    store = app.extensions["lantern_insight"].store
    rows = store.counts(MONDAY, MONDAY + timedelta(days=7))
    total: dict[tuple[str, str, str], int] = {}
    by_day: dict[tuple[date, str, str, str], int] = {}
    for r in rows:
        total[r.metric, r.dimension, r.value] = total.get((r.metric, r.dimension, r.value), 0)
        total[r.metric, r.dimension, r.value] += r.count
        by_day[r.day, r.metric, r.dimension, r.value] = r.count

    # Answers: 5 texts + 4 English chats + 3 Polish chats + 2 danger chats.
    # The two danger chats ("he says he will kill me tonight") are read as a young person
    # writing, so they reach the young person's answer too, after the 999 lines.
    assert total["answer", "all", "all"] == 14
    assert total["answer", "channel", "sms"] == 5
    assert total["answer", "channel", "chat"] == 9
    assert total["answer", "language", "en"] == 11
    assert total["answer", "language", "pl"] == 3
    assert total["answer", "audience", "worried"] == 11
    assert total["answer", "audience", "young"] == 3
    assert total["answer", "route", "worried_local"] == 11
    assert total["answer", "route", "young"] == 3
    assert total["answer", "area", "rotherham"] == 11
    assert total["answer", "front_door", "01709 336080|in-hours"] == 7  # Mon 10:00, Wed 16:00
    assert total["answer", "front_door", "01709 336080|out-of-hours"] == 4  # Tue 21:00, Sat
    assert by_day[MONDAY, "answer", "hour", "10"] == 3
    assert by_day[MONDAY + timedelta(days=1), "answer", "hour", "21"] == 2
    assert by_day[MONDAY + timedelta(days=5), "answer", "hour", "11"] == 3
    # Danger: two replies on Sunday at 23:00.
    assert by_day[MONDAY + timedelta(days=6), "danger", "kind", "now"] == 2
    assert total["danger", "all", "all"] == 2
    # Searches: nine new searches (page 2 is not one), four found nothing.
    assert total["search", "all", "all"] == 9
    assert total["search", "result", "found"] == 5
    assert total["search", "result", "none"] == 4
    assert total["search", "need", "counselling"] == 3
    assert total["search", "need", "unknown"] == 1
    # Pages: six reads plus the three the feedback forms were fetched from (with a query).
    assert total["page", "page", "young-people"] == 9
    assert total["feedback", "page", "young-people|no"] == 2
    assert total["feedback", "page", "young-people|yes"] == 1


def test_storage_holds_nothing_finer_than_counters(week):
    app, senders = week
    everything = read_everything(app)
    never = forbidden(app, senders)

    # 1. The counters: only their five columns, only known names, only vocabulary-shaped values.
    assert columns(app, "insight_counts") == ["day", "metric", "dimension", "value", "count"]
    for day, metric, dimension, value, count in everything["insight_counts"]:
        assert date.fromisoformat(day) and count >= 1
        assert dimension in METRICS[metric], (metric, dimension)
        assert is_valid(metric, dimension, value)
        assert not any(word.lower() in value.lower() for word in never), value

    # 2. Nothing anywhere holds what was typed, a number or an address; the number's keyed
    #    hash only in the conversation state and Twilio-retry tables, which expire.
    hashes = set(never[-(2 * len(senders) + 1) : -1])
    for table, rows in everything.items():
        for row in rows:
            cells = " ".join(str(c) for c in row)
            found = [w for w in never if w in cells]
            if table in ("conversations", "replies"):
                found = [w for w in found if w not in hashes]
            assert not found, (table, found)

    # 3. Once conversation state has expired, the only rows left are the counters, the
    #    feedback answers (a page and yes/no, no comment was given) and the staff area's tables.
    later = datetime.now(UTC) + timedelta(days=2)
    app.extensions["lantern_store"].purge(later, 365)
    with contextlib.suppress(AttributeError):  # with Redis, conversations live there
        app.extensions["lantern_store"].records.purge(later, 365)
    everything = read_everything(app)
    for table, rows in everything.items():
        assert not [w for row in rows for w in never if w in " ".join(map(str, row))], table
    left = {t: len(rows) for t, rows in everything.items() if rows and t != "sqlite_sequence"}
    assert set(left) == {"insight_counts", "feedback"}, left
    assert columns(app, "feedback") == ["id", "kind", "target", "helpful", "comment", "created"]
    assert sorted((k, t, h, c) for _, k, t, h, c, _ in everything["feedback"]) == [
        ("page", "young-people", 0, ""),
        ("page", "young-people", 0, ""),
        ("page", "young-people", 1, ""),
    ]

    # 4. Redis (when used): every key expires by itself, and none holds what was typed, a
    #    number or an address.
    redis_url = app.config["REDIS_URL"]
    if redis_url:
        client = _redis(redis_url)
        for key in _our_redis_keys(client, senders):
            assert client.ttl(key) > 0, key
            kind = client.type(key).decode()
            value = client.get(key) if kind == "string" else b""
            text = key.decode("utf-8", "replace") + value.decode("utf-8", "replace")
            found = [w for w in never if w in text]
            if key.startswith((b"lantern:conv:", b"lantern:reply:", b"lantern:replies:")):
                # Conversation state, retry replies and the index of them STOP deletes, keyed
                # by the hash: gone within a day.
                assert client.ttl(key) <= 24 * 60 * 60, key
                found = [w for w in found if w not in hashes]
            assert not found, key
        client.close()
