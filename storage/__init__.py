"""Storage behind one small interface: conversation state, Twilio retries and feedback.

Embedded SQLite by default; PostgreSQL with DATABASE_URL; with REDIS_URL, conversation state and
retry replies move to Redis so every instance sees them. Every call ends within a short deadline
(storage.guard): when a server is down, callers get `StorageUnavailable` at once and degrade.
No Flask here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from storage.base import Feedback, StorageUnavailable, Store
from storage.guard import Guard
from storage.sql import SQLStore, utcnow

TIMEOUT_SECONDS = 0.5  # the longest any storage call may hold a request
COOLDOWN_SECONDS = 2.0  # how long a part that failed is left alone before it is tried again


class SharedStore:
    """The Store the app uses: conversations (Redis, or SQL) and records (SQL), each guarded."""

    def __init__(
        self,
        conversations: Any,
        records: Any,
        timeout: float = TIMEOUT_SECONDS,
        cooldown: float = COOLDOWN_SECONDS,
    ):
        self.conversations = conversations
        self.records = records
        self._records = Guard("database", records, timeout, cooldown)
        self._conversations = (
            self._records
            if conversations is records
            else Guard("redis", conversations, timeout, cooldown)
        )

    @property
    def guards(self) -> dict[str, Guard]:
        return {g.name: g for g in (self._conversations, self._records)}

    def get_conversation(self, key: str, now: datetime | None = None) -> dict | None:
        return self._conversations.call("get_conversation", key, now)

    def put_conversation(
        self, key: str, state: dict, ttl_seconds: int, now: datetime | None = None
    ) -> None:
        self._conversations.call("put_conversation", key, state, ttl_seconds, now)

    def delete_conversation(self, key: str) -> None:
        self.forget(key)

    def forget(self, key: str) -> None:
        """Delete the conversation's state and every reply kept for it, wherever they are."""
        if self._records is not self._conversations:
            # A conversation begun before Redis was configured must be forgotten too. Not waited
            # for, so two stores down cost one timeout; if it fails it is done once it is back.
            self._records.forget_in_background(key)
        self._conversations.forget(key)

    def seen_message(
        self, key: str, message_sid: str, reply: str, ttl_seconds: int, now: datetime | None = None
    ) -> str | None:
        return self._conversations.call("seen_message", key, message_sid, reply, ttl_seconds, now)

    def add_feedback(self, item: Feedback) -> None:
        self._records.call("add_feedback", item)

    def list_feedback(self) -> list[Feedback]:
        return self._records.call("list_feedback")

    def purge(self, now: datetime, feedback_days: int) -> dict[str, int]:
        # Redis expires its keys on its own; SQL holds feedback (and any old conversations).
        return self._records.call("purge", now, feedback_days)

    def ping(self) -> bool:
        return all(guard.ping() for guard in self.guards.values())

    def health(self) -> dict[str, str]:
        return {name: "ok" if guard.ping() else "down" for name, guard in self.guards.items()}

    def close(self) -> None:
        for backend in {
            id(self.conversations): self.conversations,
            id(self.records): self.records,
        }.values():
            backend.close()


def open_store(
    database_url: str,
    redis_url: str = "",
    redis_prefix: str = "lantern:",
    clock: Callable[[], datetime] = utcnow,
    timeout: float = TIMEOUT_SECONDS,
    cooldown: float = COOLDOWN_SECONDS,
) -> SharedStore:
    """Open the store the URLs name: sqlite:///path or postgresql://..., plus optional Redis.

    `clock` is the app's clock: every expiry is worked out with it.
    """
    records = SQLStore(database_url, clock=clock)
    conversations: Any = records
    if redis_url:
        from storage.redis_store import RedisStore

        conversations = RedisStore(redis_url, prefix=redis_prefix, clock=clock)
    return SharedStore(conversations, records, timeout=timeout, cooldown=cooldown)


__all__ = [
    "Feedback",
    "SQLStore",
    "SharedStore",
    "StorageUnavailable",
    "Store",
    "open_store",
]
