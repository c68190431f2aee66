"""Staff accounts, the change log, published listings and contact checks, in SQL.

The truth of the directory lives here: content/ YAML files are the seed, and a document
published from the staff area takes the place of its seed document. Every change is kept with
who, when, before, after and why. No Flask here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from storage.sql import SQLStore

STAFF_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS staff_users (
        id {serial}, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL,
        password_hash TEXT NOT NULL, totp_secret TEXT NOT NULL, recovery_codes TEXT NOT NULL,
        failed INTEGER NOT NULL DEFAULT 0, locked_until {float} NOT NULL DEFAULT 0,
        last_totp INTEGER NOT NULL DEFAULT 0, session_token TEXT NOT NULL DEFAULT '',
        active INTEGER NOT NULL DEFAULT 1, created TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS staff_audit (
        id {serial}, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
        target TEXT NOT NULL, before TEXT NOT NULL, after TEXT NOT NULL, why TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS directory_changes (
        id {serial}, key TEXT NOT NULL, before TEXT NOT NULL, after TEXT NOT NULL,
        why TEXT NOT NULL, author TEXT NOT NULL, created TEXT NOT NULL, status TEXT NOT NULL,
        needs_review INTEGER NOT NULL, reviewer TEXT NOT NULL DEFAULT '',
        reviewed TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT 'editor')""",
    """CREATE TABLE IF NOT EXISTS directory_published (
        key TEXT PRIMARY KEY, document TEXT NOT NULL, change_id INTEGER NOT NULL,
        at TEXT NOT NULL)""",
)

ROLES = ("curator", "reviewer", "administrator", "board")


@dataclass(frozen=True)
class StaffUser:
    id: int
    email: str
    name: str
    role: str
    password_hash: str
    totp_secret: str
    recovery_codes: tuple[str, ...]  # Argon2 hashes; a used code is removed
    failed: int
    locked_until: float
    last_totp: int
    session_token: str
    active: bool


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    target: str
    before: str
    after: str
    why: str


@dataclass(frozen=True)
class Change:
    id: int
    key: str  # "service:<id>" or "area:<id>"
    before: str  # YAML text, "" for a new listing
    after: str
    why: str
    author: str
    created: str
    status: str  # pending, published, rejected
    needs_review: bool
    reviewer: str
    reviewed: str
    source: str  # editor, check, import, oruk, csv


_USER_COLUMNS = (
    "id, email, name, role, password_hash, totp_secret, recovery_codes, failed, locked_until, "
    "last_totp, session_token, active"
)
_CHANGE_COLUMNS = (
    "id, key, before, after, why, author, created, status, needs_review, reviewer, reviewed, source"
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class StaffStore(SQLStore):
    """The SQL store plus the staff area's tables."""

    # Created with the SQL store's tables, under the same lock, on the first connection (at
    # start-up when the database answers; the site starts without it when it does not).
    schema = (*SQLStore.schema, *STAFF_SCHEMA)

    # -- accounts ---------------------------------------------------------------------------

    def add_user(
        self,
        email: str,
        name: str,
        role: str,
        password_hash: str,
        totp_secret: str,
        recovery_codes: list[str],
    ) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; use one of: {', '.join(ROLES)}")
        self._run(
            "INSERT INTO staff_users (email, name, role, password_hash, totp_secret, "
            "recovery_codes, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                email.lower(),
                name,
                role,
                password_hash,
                totp_secret,
                json.dumps(recovery_codes),
                _now(),
            ),
        )

    def _user(self, where: str, value) -> StaffUser | None:
        # Column names come from this module only, never from a request.
        sql = f"SELECT {_USER_COLUMNS} FROM staff_users WHERE {where} = ?"  # noqa: S608  # nosec B608
        rows = self._run(sql, (value,), True)
        if not rows:
            return None
        row = list(rows[0])
        row[6] = tuple(json.loads(row[6]))
        row[11] = bool(row[11])
        return StaffUser(*row)

    def user_by_email(self, email: str) -> StaffUser | None:
        return self._user("email", email.lower())

    def user_by_id(self, user_id: int) -> StaffUser | None:
        return self._user("id", user_id)

    def users(self) -> list[StaffUser]:
        rows = self._run("SELECT id FROM staff_users ORDER BY id", (), True)
        return [u for (uid,) in rows if (u := self.user_by_id(uid)) is not None]

    def record_failure(self, user_id: int, lock_after: int, lock_seconds: float, now: float) -> int:
        """Count a failed attempt; lock the account once `lock_after` have failed in a row."""
        self._run("UPDATE staff_users SET failed = failed + 1 WHERE id = ?", (user_id,))
        user = self.user_by_id(user_id)
        assert user is not None
        if user.failed >= lock_after:
            self._run(
                "UPDATE staff_users SET locked_until = ? WHERE id = ?",
                (now + lock_seconds, user_id),
            )
        return user.failed

    def clear_failures(self, user_id: int) -> None:
        self._run("UPDATE staff_users SET failed = 0, locked_until = 0 WHERE id = ?", (user_id,))

    def use_totp_step(self, user_id: int, step: int) -> bool:
        """Record a one-time code's time step; False if it (or a later one) was used already."""
        return bool(
            self._run(
                "UPDATE staff_users SET last_totp = ? WHERE id = ? AND last_totp < ?",
                (step, user_id, step),
            )
        )

    def set_recovery_codes(self, user_id: int, hashes: list[str]) -> None:
        self._run(
            "UPDATE staff_users SET recovery_codes = ? WHERE id = ?", (json.dumps(hashes), user_id)
        )

    def set_second_factor(self, user_id: int, secret: str, hashes: list[str]) -> None:
        """Replace the TOTP secret and recovery codes; every session of the account ends."""
        self._run(
            "UPDATE staff_users SET totp_secret = ?, recovery_codes = ?, last_totp = 0, "
            "session_token = '' WHERE id = ?",
            (secret, json.dumps(hashes), user_id),
        )

    def set_session_token(self, user_id: int, token: str) -> None:
        self._run("UPDATE staff_users SET session_token = ? WHERE id = ?", (token, user_id))

    def set_active(self, user_id: int, active: bool) -> None:
        self._run(
            "UPDATE staff_users SET active = ?, session_token = '' WHERE id = ?",
            (int(active), user_id),
        )

    # -- audit ------------------------------------------------------------------------------

    def audit(
        self, actor: str, action: str, target: str, before: str = "", after: str = "", why: str = ""
    ) -> None:
        self._run(
            "INSERT INTO staff_audit (at, actor, action, target, before, after, why) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (_now(), actor, action, target, before, after, why),
        )

    def audit_log(self, limit: int | None = None) -> list[AuditEntry]:
        sql = "SELECT id, at, actor, action, target, before, after, why FROM staff_audit"
        sql += " ORDER BY id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [AuditEntry(*row) for row in self._run(sql, (), True)]

    # -- changes and the published directory ------------------------------------------------

    def add_change(
        self,
        key: str,
        before: str,
        after: str,
        why: str,
        author: str,
        needs_review: bool,
        source: str = "editor",
    ) -> int:
        self._run(
            "INSERT INTO directory_changes (key, before, after, why, author, created, status, "
            "needs_review, source) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            (key, before, after, why, author, _now(), int(needs_review), source),
        )
        rows = self._run(
            "SELECT MAX(id) FROM directory_changes WHERE key = ? AND author = ?",
            (key, author),
            True,
        )
        return int(rows[0][0])

    def change(self, change_id: int) -> Change | None:
        sql = f"SELECT {_CHANGE_COLUMNS} FROM directory_changes WHERE id = ?"  # noqa: S608  # nosec B608
        rows = self._run(sql, (change_id,), True)
        return _change(rows[0]) if rows else None

    def changes(self, status: str | None = None) -> list[Change]:
        sql = f"SELECT {_CHANGE_COLUMNS} FROM directory_changes"  # noqa: S608  # nosec B608
        params: tuple = ()
        if status:
            sql += " WHERE status = ?"
            params = (status,)
        return [_change(row) for row in self._run(sql + " ORDER BY id", params, True)]

    def decide(self, change_id: int, status: str, reviewer: str) -> bool:
        """Mark a pending change published or rejected; False if it was no longer pending."""
        return bool(
            self._run(
                "UPDATE directory_changes SET status = ?, reviewer = ?, reviewed = ? "
                "WHERE id = ? AND status = 'pending'",
                (status, reviewer, _now(), change_id),
            )
        )

    def publish(self, key: str, document: str, change_id: int) -> None:
        self._run(
            "INSERT INTO directory_published (key, document, change_id, at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET document = excluded.document, "
            "change_id = excluded.change_id, at = excluded.at",
            (key, document, change_id, _now()),
        )

    def published(self) -> dict[str, str]:
        """Return every published document's YAML text by key."""
        rows = self._run("SELECT key, document FROM directory_published", (), True)
        return dict(rows)

    def version(self) -> int:
        """Return a number that grows with every publication (0 when nothing is published)."""
        rows = self._run("SELECT COALESCE(MAX(change_id), 0) FROM directory_published", (), True)
        return int(rows[0][0])


def _change(row) -> Change:
    values = list(row)
    values[8] = bool(values[8])
    return Change(*values)
