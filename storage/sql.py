"""SQL storage: embedded SQLite (WAL) by default, PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

from storage.base import Feedback

log = logging.getLogger("lantern.storage")

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS conversations (
        key TEXT PRIMARY KEY, state TEXT NOT NULL, expires {float} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS replies (
        key TEXT PRIMARY KEY, reply TEXT NOT NULL, expires {float} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS feedback (
        id {serial}, kind TEXT NOT NULL, target TEXT NOT NULL, helpful INTEGER,
        comment TEXT NOT NULL, created TEXT NOT NULL)""",
)
RETRIES = 8  # about 5 s of back-off: long enough for a PostgreSQL restart


class SQLStore:
    """One connection per thread; a dropped PostgreSQL connection is reopened and retried."""

    def __init__(self, url: str):
        parsed = urlparse(url)
        self.postgres = parsed.scheme.startswith("postgres")
        if not self.postgres and parsed.scheme != "sqlite":
            raise ValueError(f"DATABASE_URL: unsupported scheme {parsed.scheme!r}")
        self.url = url
        self.path = None if self.postgres else url.removeprefix("sqlite:///")
        self._local = threading.local()
        serial = "BIGSERIAL PRIMARY KEY" if self.postgres else "INTEGER PRIMARY KEY AUTOINCREMENT"
        for statement in SCHEMA:
            # REAL is a 4-byte float in PostgreSQL: too coarse for expiry times.
            real = "DOUBLE PRECISION" if self.postgres else "REAL"
            self._run(statement.format(serial=serial, float=real))

    # -- connections ------------------------------------------------------------------------

    def _connect(self):
        if self.postgres:
            import psycopg  # imported here so the embedded default needs no PostgreSQL driver

            return psycopg.connect(self.url, autocommit=True, connect_timeout=5)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def _run(self, sql: str, params: tuple = (), fetch: bool = False):
        if self.postgres:
            sql = sql.replace("?", "%s")
        for attempt in range(RETRIES):
            try:
                cur = self._conn().execute(sql, params)
                return cur.fetchall() if fetch else cur.rowcount
            except Exception as exc:
                if not self._is_disconnect(exc) or attempt == RETRIES - 1:
                    raise
                self._drop()
                time.sleep(0.15 * (attempt + 1))
        return None

    def _is_disconnect(self, exc: Exception) -> bool:
        if not self.postgres:
            return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)
        import psycopg

        return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # the connection is already broken; a new one follows
                log.info("closing a broken database connection failed")

    # -- conversations ----------------------------------------------------------------------

    def get_conversation(self, key: str, now: datetime | None = None) -> dict | None:
        moment = (now or datetime.now(UTC)).timestamp()
        rows = self._run(
            "SELECT state FROM conversations WHERE key = ? AND expires > ?", (key, moment), True
        )
        return json.loads(rows[0][0]) if rows else None

    def put_conversation(self, key: str, state: dict, ttl_seconds: int) -> None:
        expires = time.time() + ttl_seconds
        self._run(
            "INSERT INTO conversations (key, state, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET state = excluded.state, expires = excluded.expires",
            (key, json.dumps(state, separators=(",", ":")), expires),
        )

    def delete_conversation(self, key: str) -> None:
        self._run("DELETE FROM conversations WHERE key = ?", (key,))

    def seen_message(self, key: str, message_sid: str, reply: str, ttl_seconds: int) -> str | None:
        slot = f"{key}:{message_sid}"
        inserted = self._run(
            "INSERT INTO replies (key, reply, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO NOTHING",
            (slot, reply, time.time() + ttl_seconds),
        )
        if inserted:
            return None
        rows = self._run("SELECT reply FROM replies WHERE key = ?", (slot,), True)
        return rows[0][0] if rows else None

    # -- feedback ---------------------------------------------------------------------------

    def add_feedback(self, item: Feedback) -> None:
        helpful = None if item.helpful is None else int(item.helpful)
        self._run(
            "INSERT INTO feedback (kind, target, helpful, comment, created) VALUES (?, ?, ?, ?, ?)",
            (item.kind, item.target, helpful, item.comment, item.created.isoformat()),
        )

    def list_feedback(self) -> list[Feedback]:
        rows = self._run(
            "SELECT kind, target, helpful, comment, created FROM feedback ORDER BY id", (), True
        )
        return [
            Feedback(kind, target, None if h is None else bool(h), comment, date.fromisoformat(c))
            for kind, target, h, comment, c in rows
        ]

    # -- housekeeping -----------------------------------------------------------------------

    def purge(self, now: datetime, feedback_days: int) -> dict[str, int]:
        moment = now.timestamp()
        cutoff = (now.date() - timedelta(days=feedback_days)).isoformat()
        return {
            "conversations": self._run("DELETE FROM conversations WHERE expires <= ?", (moment,)),
            "replies": self._run("DELETE FROM replies WHERE expires <= ?", (moment,)),
            "feedback": self._run("DELETE FROM feedback WHERE created < ?", (cutoff,)),
        }

    def close(self) -> None:
        self._drop()

    def ping(self) -> bool:
        return self._run("SELECT 1", (), True) == [(1,)]
