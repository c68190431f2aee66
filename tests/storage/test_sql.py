"""The SQL store on embedded SQLite (PostgreSQL runs the same tests in test_backends.py)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from storage import Feedback, open_store


@pytest.fixture
def store(tmp_path):
    return open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")


def test_conversation_round_trip_and_expiry(store):
    store.put_conversation("k", {"node": "age", "lang": "ur"}, ttl_seconds=60)
    assert store.get_conversation("k") == {"node": "age", "lang": "ur"}
    later = datetime.now(UTC) + timedelta(seconds=61)
    assert store.get_conversation("k", now=later) is None
    store.delete_conversation("k")
    assert store.get_conversation("k") is None


def test_seen_message_returns_first_reply(store):
    """Does a Twilio retry get the reply the first delivery got?"""
    assert store.seen_message("k", "SM1", "<Response>one</Response>", 600) is None
    assert store.seen_message("k", "SM1", "<Response>two</Response>", 600) == (
        "<Response>one</Response>"
    )
    assert store.seen_message("k", "SM2", "<Response>two</Response>", 600) is None


def test_feedback_and_purge(store):
    today = datetime.now(UTC)
    store.add_feedback(Feedback("page", "families", True, "", date(2020, 1, 1)))
    store.add_feedback(Feedback("listing", "childline", None, "number wrong", today.date()))
    store.put_conversation("old", {}, ttl_seconds=-1)
    counts = store.purge(today, feedback_days=365)
    assert counts == {"conversations": 1, "replies": 0, "feedback": 1}
    assert [f.target for f in store.list_feedback()] == ["childline"]


def test_wal_mode(store):
    assert store.records._conn().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
