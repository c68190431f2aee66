"""SQL storage: embedded SQLite (WAL) by default, PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
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
# A connection PostgreSQL dropped (a restart) is reopened once; a server that is still down is
# reported at once, and storage.guard answers for it until it is back.
RETRIES = 2
# Short waits, so a locked or unreachable database cannot hold a request (storage.guard's
# deadline is the backstop). libpq's connect timeout cannot go under 2 s; the guard's can.
SQLITE_BUSY_SECONDS = 0.25
PG_CONNECT_SECONDS = 2
PG_TCP_USER_TIMEOUT_MS = 1000
# Any fixed number: PostgreSQL advisory locks are named by integers.
SCHEMA_LOCK = 0x4C414E54


def utcnow() -> datetime:
    return datetime.now(UTC)


class SQLStore:
    """One connection per thread; a dropped PostgreSQL connection is reopened and retried."""

    schema: tuple[str, ...] = tuple(SCHEMA)  # a store with more tables adds its own

    def __init__(self, url: str, clock: Callable[[], datetime] = utcnow):
        parsed = urlparse(url)
        self.postgres = parsed.scheme.startswith("postgres")
        if not self.postgres and parsed.scheme != "sqlite":
            raise ValueError(f"DATABASE_URL: unsupported scheme {parsed.scheme!r}")
        self.url = url
        self.clock = clock
        self.path = None if self.postgres else url.removeprefix("sqlite:///")
        self._local = threading.local()
        # Every connection a thread of this store opened, so closing the store closes them all
        # (one per worker thread otherwise lingers until the interpreter collects it).
        self._open: set = set()
        self._open_lock = threading.Lock()
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        try:
            conn = self._connect()
            try:
                self._create_schema(conn)
                self._schema_ready = True
            finally:
                conn.close()
        except Exception as exc:
            if not self._is_disconnect(exc):
                raise
            # Start anyway: pages need no database. The schema is made on the first connection.
            log.warning("database unreachable at start-up (%s)", type(exc).__name__)

    # -- connections ------------------------------------------------------------------------

    def _connect(self):
        if self.postgres:
            import psycopg  # imported here so the embedded default needs no PostgreSQL driver

            return psycopg.connect(
                self.url,
                autocommit=True,
                connect_timeout=PG_CONNECT_SECONDS,
                tcp_user_timeout=PG_TCP_USER_TIMEOUT_MS,
            )
        folder = Path(self.path).parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Feedback and conversations are nobody else's business: the file (and the -wal and
        # -shm files SQLite makes with the same mode) is the owner's alone.
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        conn = sqlite3.connect(self.path, timeout=SQLITE_BUSY_SECONDS, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            if not self._schema_ready:
                with self._schema_lock:
                    if not self._schema_ready:
                        self._create_schema(conn)
                        self._schema_ready = True
            self._local.conn = conn
            with self._open_lock:
                self._open.add(conn)
        return conn

    def _create_schema(self, conn) -> None:
        """Create the tables, holding a PostgreSQL advisory lock while doing so.

        Every gunicorn worker of every instance opens the store as it starts, and concurrent
        CREATE TABLE IF NOT EXISTS statements can fail on PostgreSQL with a unique violation.
        """
        serial = "BIGSERIAL PRIMARY KEY" if self.postgres else "INTEGER PRIMARY KEY AUTOINCREMENT"
        # REAL is a 4-byte float in PostgreSQL: too coarse for expiry times.
        real = "DOUBLE PRECISION" if self.postgres else "REAL"
        if self.postgres:
            conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            for statement in self.schema:
                conn.execute(statement.format(serial=serial, float=real))
        finally:
            if self.postgres:
                conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))

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
            self._close(conn)

    def _close(self, conn) -> None:
        with self._open_lock:
            self._open.discard(conn)
        try:
            conn.close()
        except Exception:  # broken, or SQLite's from another thread: it goes with its thread
            log.info("closing a database connection failed")

    # -- conversations ----------------------------------------------------------------------

    def get_conversation(self, key: str, now: datetime | None = None) -> dict | None:
        moment = (now or self.clock()).timestamp()
        rows = self._run(
            "SELECT state FROM conversations WHERE key = ? AND expires > ?", (key, moment), True
        )
        return json.loads(rows[0][0]) if rows else None

    def put_conversation(
        self, key: str, state: dict, ttl_seconds: int, now: datetime | None = None
    ) -> None:
        expires = (now or self.clock()).timestamp() + ttl_seconds
        self._run(
            "INSERT INTO conversations (key, state, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET state = excluded.state, expires = excluded.expires",
            (key, json.dumps(state, separators=(",", ":")), expires),
        )

    def delete_conversation(self, key: str) -> None:
        self._run("DELETE FROM conversations WHERE key = ?", (key,))

    def forget(self, key: str) -> None:
        self.delete_conversation(key)
        prefix = f"{key}:"
        # substr rather than LIKE: keys may hold "_", which LIKE reads as a wildcard.
        self._run("DELETE FROM replies WHERE substr(key, 1, length(?)) = ?", (prefix, prefix))

    def seen_message(
        self, key: str, message_sid: str, reply: str, ttl_seconds: int, now: datetime | None = None
    ) -> str | None:
        slot = f"{key}:{message_sid}"
        inserted = self._run(
            "INSERT INTO replies (key, reply, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO NOTHING",
            (slot, reply, (now or self.clock()).timestamp() + ttl_seconds),
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
        """Close every connection the store's threads opened."""
        self._drop()
        with self._open_lock:
            others = list(self._open)
        for conn in others:
            self._close(conn)

    def __del__(self) -> None:
        # A store dropped without close() (an app built for one test) leaves nothing open;
        # nothing more can be done about a failure while being collected.
        with contextlib.suppress(Exception):
            self.close()

    def release_thread(self) -> None:
        """Close the calling thread's connection, as the thread ends."""
        self._drop()

    def ping(self) -> bool:
        return self._run("SELECT 1", (), True) == [(1,)]
