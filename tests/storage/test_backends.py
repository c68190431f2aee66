"""The Store interface on every backend: SQLite, PostgreSQL, and Redis in front of each."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from storage import Feedback, SharedStore, open_store
from storage.redis_store import RedisStore
from tests.services import postgres_database, redis_prefix, require_services

BACKENDS = ["sqlite", "postgresql", "redis+sqlite", "redis+postgresql"]


def track_connections(sql_store) -> list:
    """Record every PostgreSQL connection the store opens (one per thread) to close them after."""
    opened = []
    if not sql_store.postgres:
        return opened  # sqlite3 connections may only be closed by their own thread
    connect = sql_store._connect

    def recording_connect():
        opened.append(connect())
        return opened[-1]

    sql_store._connect = recording_connect
    sql_store._drop()
    return opened


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    backend = request.param
    if backend != "sqlite":
        require_services()
    with postgres_database() if "postgresql" in backend else _nothing() as pg_url:
        database_url = pg_url or f"sqlite:///{tmp_path / 'store.sqlite3'}"
        with redis_prefix() if backend.startswith("redis") else _nothing() as prefix:
            redis_url = "redis://127.0.0.1:6379/0" if prefix else ""
            store = open_store(database_url, redis_url, redis_prefix=prefix or "lantern:")
            opened = track_connections(store.records)
            yield store
            for conn in opened:
                conn.close()
            if prefix:
                store.conversations.close()


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def test_open_store_picks_the_backend(tmp_path):
    """Does a redis_url put conversations in Redis and keep feedback in SQL?"""
    require_services()
    with redis_prefix() as prefix:
        store = open_store(
            f"sqlite:///{tmp_path / 's.sqlite3'}", "redis://127.0.0.1:6379/0", redis_prefix=prefix
        )
        assert isinstance(store, SharedStore)
        assert isinstance(store.conversations, RedisStore)
        store.put_conversation("k", {"node": "start"}, 60)
        assert store.records.get_conversation("k") is None
        assert store.conversations.client.exists(f"{prefix}conv:k") == 1
        store.conversations.close()
        store.records._conn().close()


def test_conversation_round_trip_and_expiry(store):
    """Is state read back as written, and gone once its time is up?"""
    state = {"node": "age", "lang": "ur", "note": "اردو ✓"}
    store.put_conversation("k", state, ttl_seconds=60)
    assert store.get_conversation("k") == state
    later = datetime.now(UTC) + timedelta(seconds=61)
    assert store.get_conversation("k", now=later) is None
    store.put_conversation("k", {"node": "where"}, ttl_seconds=60)
    assert store.get_conversation("k") == {"node": "where"}
    store.delete_conversation("k")
    assert store.get_conversation("k") is None
    assert store.get_conversation("never-seen") is None


def test_expired_state_is_not_returned(store):
    store.put_conversation("gone", {"node": "x"}, ttl_seconds=-1)
    assert store.get_conversation("gone") is None


def test_seen_message_returns_first_reply(store):
    """Does a Twilio retry get the reply the first delivery got?"""
    assert store.seen_message("k", "SM1", "<Response>one</Response>", 600) is None
    assert store.seen_message("k", "SM1", "<Response>two</Response>", 600) == (
        "<Response>one</Response>"
    )
    assert store.seen_message("k", "SM2", "<Response>two</Response>", 600) is None
    assert store.seen_message("other", "SM1", "<Response>3</Response>", 600) is None


def test_seen_message_once_under_concurrency(store):
    """When a retry races the first delivery, does exactly one of them count as first?"""
    results = []

    def deliver(n):
        results.append(store.seen_message("race", "SM9", f"reply {n}", 600))

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(None) == 1
    first = store.seen_message("race", "SM9", "late", 600)
    assert first.startswith("reply ") and all(r in (None, first) for r in results)


def test_feedback_round_trip_and_purge(store):
    """Is feedback kept as given, and removed once older than the retention period?"""
    today = datetime.now(UTC)
    store.add_feedback(Feedback("page", "families", True, "", date(2020, 1, 1)))
    store.add_feedback(Feedback("listing", "childline", None, "number wrong ' ; --", today.date()))
    store.add_feedback(Feedback("page", "home", False, "🙂 \u202eRTL", today.date()))
    store.put_conversation("old", {}, ttl_seconds=-1)
    counts = store.purge(today, feedback_days=365)
    assert counts["feedback"] == 1
    assert store.get_conversation("old") is None
    assert store.list_feedback() == [
        Feedback("listing", "childline", None, "number wrong ' ; --", today.date()),
        Feedback("page", "home", False, "🙂 \u202eRTL", today.date()),
    ]


def test_ping(store):
    assert store.ping() is True


def test_many_workers_can_open_a_fresh_postgresql_database_at_once():
    """When every worker of every instance starts together, does each open the store?"""
    require_services()
    with postgres_database() as url:
        errors, pings = [], []

        def open_one():
            try:
                store = open_store(url)
            except Exception as exc:
                errors.append(exc)
                return
            pings.append(store.ping())
            store.records.close()

        threads = [threading.Thread(target=open_one) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert pings == [True] * 12


def test_ping_is_false_when_redis_is_unreachable(tmp_path):
    """Does a lost Redis make the health check fail softly, naming the part, rather than raise?"""
    store = open_store(f"sqlite:///{tmp_path / 's.sqlite3'}", "redis://127.0.0.1:1/0")
    assert store.ping() is False
    assert store.health() == {"redis": "down", "database": "ok"}
    store.close()


@pytest.mark.parametrize("backend", ["sqlite", "redis+sqlite", "postgresql"])
def test_expiry_is_worked_out_with_the_stores_clock(tmp_path, backend):
    """Are expiry times written with the app's clock, the same clock they are read with?"""
    if backend != "sqlite":
        require_services()
    moment = datetime(2020, 1, 1, 12, 0, tzinfo=UTC)  # the app's frozen clock, long ago
    with (
        postgres_database() if backend == "postgresql" else _nothing() as pg_url,
        redis_prefix() if backend.startswith("redis") else _nothing() as prefix,
    ):
        store = open_store(
            pg_url or f"sqlite:///{tmp_path / 'clock.sqlite3'}",
            "redis://127.0.0.1:6379/0" if prefix else "",
            redis_prefix=prefix or "lantern:",
            clock=lambda: moment,
        )
        store.put_conversation("k", {"node": "start"}, ttl_seconds=60)
        store.seen_message("k", "SM1", "reply", ttl_seconds=60)
        assert store.get_conversation("k") == {"node": "start"}
        assert store.get_conversation("k", now=moment + timedelta(seconds=61)) is None
        counts = store.purge(moment + timedelta(seconds=61), feedback_days=365)
        if not prefix:  # SQL keeps them until purged, by the same clock
            assert counts["conversations"] == 1 and counts["replies"] == 1
        store.close()
