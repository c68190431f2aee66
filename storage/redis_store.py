"""Conversation state and Twilio-retry replies in Redis, shared by every instance.

Redis expires the keys itself, so nothing about a conversation outlives its time to live even
when `flask data purge` never runs. Feedback is a record to keep, so it stays in SQL.
"""

from __future__ import annotations

import json
import math
import time
from datetime import UTC, datetime

from storage.base import Feedback, Store

RETRIES = 3


class RedisStore:
    """Conversations and retry replies under one key prefix; each key carries its own expiry."""

    def __init__(self, url: str, prefix: str = "lantern:"):
        import redis  # imported here so the embedded default needs no Redis client
        from redis.backoff import ExponentialBackoff
        from redis.retry import Retry

        self.prefix = prefix
        # A short blip (a failover, a restart) is retried rather than shown to the reader.
        self.client = redis.Redis.from_url(
            url,
            socket_timeout=5,
            socket_connect_timeout=5,
            health_check_interval=30,
            retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), RETRIES),
            retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        )

    def _key(self, kind: str, key: str) -> str:
        return f"{self.prefix}{kind}:{key}"

    def get_conversation(self, key: str, now: datetime | None = None) -> dict | None:
        raw = self.client.get(self._key("conv", key))
        if raw is None:
            return None
        record = json.loads(raw)
        # The stored expiry makes `now` mean the same here as in SQL (Redis's own TTL is rounded).
        moment = (now or datetime.now(UTC)).timestamp()
        return record["state"] if record["expires"] > moment else None

    def put_conversation(self, key: str, state: dict, ttl_seconds: int) -> None:
        name = self._key("conv", key)
        if ttl_seconds <= 0:
            self.client.delete(name)
            return
        record = {"state": state, "expires": time.time() + ttl_seconds}
        self.client.set(name, json.dumps(record, separators=(",", ":")), ex=math.ceil(ttl_seconds))

    def delete_conversation(self, key: str) -> None:
        self.client.delete(self._key("conv", key))

    def seen_message(self, key: str, message_sid: str, reply: str, ttl_seconds: int) -> str | None:
        name = self._key("reply", f"{key}:{message_sid}")
        if self.client.set(name, reply, nx=True, ex=max(1, math.ceil(ttl_seconds))):
            return None
        earlier = self.client.get(name)
        return None if earlier is None else earlier.decode("utf-8")

    def ping(self) -> bool:
        import redis

        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False  # /healthz then answers 503 and the balancer sends people elsewhere

    def close(self) -> None:
        self.client.close()


class SharedStore:
    """The Store for several instances: conversations in Redis, feedback in SQL."""

    def __init__(self, conversations: RedisStore, records: Store):
        self.conversations = conversations
        self.records = records

    def get_conversation(self, key: str, now: datetime | None = None) -> dict | None:
        return self.conversations.get_conversation(key, now)

    def put_conversation(self, key: str, state: dict, ttl_seconds: int) -> None:
        self.conversations.put_conversation(key, state, ttl_seconds)

    def delete_conversation(self, key: str) -> None:
        self.conversations.delete_conversation(key)
        # A conversation begun before Redis was configured must be forgotten too.
        self.records.delete_conversation(key)

    def seen_message(self, key: str, message_sid: str, reply: str, ttl_seconds: int) -> str | None:
        return self.conversations.seen_message(key, message_sid, reply, ttl_seconds)

    def add_feedback(self, item: Feedback) -> None:
        self.records.add_feedback(item)

    def list_feedback(self) -> list[Feedback]:
        return self.records.list_feedback()

    def purge(self, now: datetime, feedback_days: int) -> dict[str, int]:
        # Redis expires its keys on its own; SQL still holds feedback (and any old conversations).
        return self.records.purge(now, feedback_days)

    def ping(self) -> bool:
        return self.conversations.ping() and self.records.ping()
