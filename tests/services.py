"""Throwaway PostgreSQL databases and Redis key prefixes on the servers at 127.0.0.1.

`.ci/run` starts both servers; on a machine without them the tests that need them are skipped.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
from collections.abc import Iterator

import pytest

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_BASE = "postgresql://postgres@127.0.0.1:5432/"
REDIS_BASE = "redis://127.0.0.1:6379/0"


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def require_services() -> None:
    """Skip the calling test when PostgreSQL or Redis is not running here."""
    missing = [
        name for name, port in (("PostgreSQL", 5432), ("Redis", 6379)) if not _listening(port)
    ]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not running on 127.0.0.1 (.ci/run starts them)")


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """Create an empty database, yield its URL, then drop it whoever is still connected."""
    import psycopg

    name = f"lantern_test_{secrets.token_hex(6)}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_BASE + name
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def redis_prefix() -> Iterator[str]:
    """Yield a fresh key prefix, then delete every key under it."""
    import redis

    prefix = f"lantern-test-{secrets.token_hex(6)}:"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(REDIS_BASE)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


def clear_redis(redis_url: str) -> None:
    """Remove the conversation and rate-limit keys a test run of the app left in Redis."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for pattern in ("lantern:*", "LIMITER*"):
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            client.delete(*keys)
    client.close()
