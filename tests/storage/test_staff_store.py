"""The staff tables on SQLite and PostgreSQL: accounts, lockout, one-time steps, changes, audit."""

from __future__ import annotations

import contextlib

import pytest

from storage.staff import StaffStore
from tests.services import postgres_database, require_services


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "postgresql":
        require_services()
        context = postgres_database()
    else:
        context = contextlib.nullcontext(f"sqlite:///{tmp_path / 'staff.sqlite3'}")
    with context as url:
        store = StaffStore(url)
        yield store
        store.close()


def test_accounts_lockout_and_one_time_steps(store):
    store.add_user("Cara@Council.test", "Cara", "curator", "$argon2id$x", "SECRET", ["h1", "h2"])
    user = store.user_by_email("cara@council.test")
    assert user.role == "curator" and user.recovery_codes == ("h1", "h2") and user.active
    for attempt in range(1, 5):
        assert store.record_failure(user.id, 5, 900, 1000.0) == attempt
    assert store.user_by_id(user.id).locked_until == 0
    store.record_failure(user.id, 5, 900, 1000.0)
    assert store.user_by_id(user.id).locked_until == 1900.0
    store.clear_failures(user.id)
    assert store.user_by_id(user.id).failed == 0
    assert store.use_totp_step(user.id, 10) and not store.use_totp_step(user.id, 10)
    assert not store.use_totp_step(user.id, 9) and store.use_totp_step(user.id, 11)
    with pytest.raises(ValueError, match="unknown role"):
        store.add_user("x@council.test", "X", "root", "h", "s", [])


def test_changes_publish_once_and_grow_the_version(store):
    assert store.version() == 0 and store.published() == {}
    first = store.add_change("service:a", "", "id: a\n", "new", "cara", needs_review=True)
    assert store.change(first).status == "pending"
    assert store.decide(first, "published", "rob") and not store.decide(first, "rejected", "x")
    store.publish("service:a", "id: a\n", first)
    second = store.add_change("service:a", "id: a\n", "id: a\nname: A\n", "name", "cara", False)
    store.publish("service:a", "id: a\nname: A\n", second)
    assert store.version() == second > first
    assert store.published() == {"service:a": "id: a\nname: A\n"}
    assert [c.id for c in store.changes("pending")] == [second]
    store.audit("rob", "approved change", "service:a", "before", "after", "why")
    (entry,) = store.audit_log()
    assert (entry.actor, entry.before, entry.after, entry.why) == ("rob", "before", "after", "why")
