"""Storage behind one small interface: conversation state, Twilio retries and feedback.

Embedded SQLite by default; PostgreSQL with DATABASE_URL; with REDIS_URL, conversation state and
retry replies move to Redis so every instance sees them. No Flask here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from storage.base import Feedback, Store
from storage.sql import SQLStore

# Any fixed number: PostgreSQL advisory locks are named by integers.
SCHEMA_LOCK = 0x4C414E54


def open_store(database_url: str, redis_url: str = "", redis_prefix: str = "lantern:") -> Store:
    """Open the store the URLs name: sqlite:///path or postgresql://..., plus optional Redis."""
    with _one_at_a_time(database_url):
        records = SQLStore(database_url)
    if not redis_url:
        return records
    from storage.redis_store import RedisStore, SharedStore

    return SharedStore(RedisStore(redis_url, prefix=redis_prefix), records)


@contextlib.contextmanager
def _one_at_a_time(database_url: str) -> Iterator[None]:
    """Hold a PostgreSQL advisory lock while the schema is created.

    Every gunicorn worker of every instance opens the store as it starts, and concurrent
    CREATE TABLE IF NOT EXISTS statements can fail on PostgreSQL with a unique violation.
    """
    if not database_url.startswith("postgres"):
        yield
        return
    import psycopg

    with psycopg.connect(database_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))


__all__ = ["Feedback", "SQLStore", "Store", "open_store"]
