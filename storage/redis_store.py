"""Conversation state and Twilio-retry replies in Redis, shared by every instance.

Redis expires the keys itself, so nothing about a conversation outlives its time to live even
when `flask data purge` never runs. Feedback is a record to keep, so it stays in SQL.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime

from storage.sql import utcnow

# A connection dropped by a restart is reopened once; a server still down is reported at once.
RETRIES = 1
# Short waits so a dead or hung Redis cannot hold a request (storage.guard is the backstop).
SOCKET_SECONDS = 0.3


class RedisStore:
    """Conversations and retry replies under one key prefix; each key carries its own expiry."""

    def __init__(self, url: str, prefix: str = "lantern:", clock: Callable[[], datetime] = utcnow):
        import redis  # imported here so the embedded default needs no Redis client
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.prefix = prefix
        self.clock = clock
        self.client = redis.Redis.from_url(
            url,
            socket_timeout=SOCKET_SECONDS,
            socket_connect_timeout=SOCKET_SECONDS,
            health_check_interval=30,
            retry=Retry(NoBackoff(), RETRIES),
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
        moment = (now or self.clock()).timestamp()
        return record["state"] if record["expires"] > moment else None

    def put_conversation(
        self, key: str, state: dict, ttl_seconds: int, now: datetime | None = None
    ) -> None:
        name = self._key("conv", key)
        if ttl_seconds <= 0:
            self.client.delete(name)
            return
        record = {"state": state, "expires": (now or self.clock()).timestamp() + ttl_seconds}
        self.client.set(name, json.dumps(record, separators=(",", ":")), ex=math.ceil(ttl_seconds))

    def delete_conversation(self, key: str) -> None:
        self.client.delete(self._key("conv", key))

    def forget(self, key: str) -> None:
        index = self._key("replies", key)
        kept = self.client.smembers(index)
        self.client.delete(self._key("conv", key), index, *kept)

    def seen_message(
        self, key: str, message_sid: str, reply: str, ttl_seconds: int, now: datetime | None = None
    ) -> str | None:
        name = self._key("reply", f"{key}:{message_sid}")
        index = self._key("replies", key)  # every reply kept for this conversation, for STOP
        ttl = max(1, math.ceil(ttl_seconds))
        pipe = self.client.pipeline()
        pipe.set(name, reply, nx=True, ex=ttl)
        pipe.sadd(index, name)
        pipe.expire(index, ttl)
        first = pipe.execute()[0]
        if first:
            return None
        earlier = self.client.get(name)
        return None if earlier is None else earlier.decode("utf-8")

    def ping(self) -> bool:
        return bool(self.client.ping())

    def close(self) -> None:
        self.client.close()
