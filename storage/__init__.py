"""Storage behind one small interface: conversation state, Twilio retries and feedback.

Embedded SQLite by default; PostgreSQL with DATABASE_URL; with REDIS_URL, conversation state and
retry replies move to Redis so every instance sees them. No Flask here.
"""

from __future__ import annotations

from storage.base import Feedback, Store
from storage.sql import SQLStore


def open_store(database_url: str, redis_url: str = "", redis_prefix: str = "lantern:") -> Store:
    """Open the store the URLs name: sqlite:///path or postgresql://..., plus optional Redis."""
    records = SQLStore(database_url)
    if not redis_url:
        return records
    from storage.redis_store import RedisStore, SharedStore

    return SharedStore(RedisStore(redis_url, prefix=redis_prefix), records)


__all__ = ["Feedback", "SQLStore", "Store", "open_store"]
