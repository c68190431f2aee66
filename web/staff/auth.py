"""Staff sign-in: Argon2id passwords, a TOTP second factor with recovery codes, Flask-Login.

Nothing here is home-made cryptography: argon2-cffi hashes, pyotp checks one-time codes,
Flask-Login keeps the signed-in user. A sign-in makes a new session token, kept in the database
and the session: the session cookie from before sign-in grants nothing, and signing out (or a
new sign-in) ends every older session of that account.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user

from storage.staff import StaffStore, StaffUser
from web.clock import now

# argon2-cffi's defaults are Argon2id with RFC 9106's low-memory profile.
HASHER = PasswordHasher()
LOCK_AFTER = 5  # failed attempts in a row
LOCK_SECONDS = 15 * 60
IDLE_SECONDS = 30 * 60
PENDING_SECONDS = 5 * 60  # between the password and the second factor
RECOVERY_CODES = 10
MIN_PASSWORD = 12
# Verified against for unknown emails, so an unknown account takes as long as a known one.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


@dataclass
class StaffMember:
    """The signed-in staff member, as Flask-Login sees them."""

    user: StaffUser
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_token}"

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def label(self) -> str:
        return f"{self.user.name} <{self.user.email}>"


def staff_store() -> StaffStore:
    """Return the staff area's store."""
    return current_app.extensions["lantern_staff"]


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    return HASHER.hash(password)


def new_recovery_codes() -> tuple[list[str], list[str]]:
    """Return recovery codes to show once, and their hashes to keep.

    Each code holds 64 random bits, far beyond guessing, so a plain SHA-256 keeps it safe at
    rest; a slow password hash would add nothing but time.
    """
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    return codes, [_code_hash(code) for code in codes]


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()


def create_account(store: StaffStore, email: str, name: str, role: str, password: str):
    """Create an account; return its TOTP secret and recovery codes, to hand over once."""
    secret = pyotp.random_base32()
    codes, hashes = new_recovery_codes()
    store.add_user(email, name, role, hash_password(password), secret, hashes)
    return secret, codes


def _slow_down(failures: int) -> None:
    """Wait longer after each failure in a row: a script gets few guesses a minute."""
    delay = current_app.config.get("LANTERN_STAFF_SLOWDOWN", 0.5) * min(failures, 6)
    if delay:
        time.sleep(delay)


def check_password(email: str, password: str) -> tuple[StaffUser | None, str]:
    """Return the user whose password this is, or None with the reason to log."""
    store = staff_store()
    user = store.user_by_email(email.strip())
    clock = now().timestamp()
    if user is None or not user.active:
        with contextlib.suppress(VerificationError):
            HASHER.verify(_DUMMY_HASH, password)
        _slow_down(1)
        return None, "unknown or disabled account"
    if user.locked_until > clock:
        _slow_down(LOCK_AFTER)
        return None, "locked"
    try:
        HASHER.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        failures = store.record_failure(user.id, LOCK_AFTER, LOCK_SECONDS, clock)
        _slow_down(failures)
        return None, "wrong password"
    if HASHER.check_needs_rehash(user.password_hash):
        store._run(
            "UPDATE staff_users SET password_hash = ? WHERE id = ?",
            (HASHER.hash(password), user.id),
        )
    return user, ""


def check_second_factor(user: StaffUser, code: str) -> bool:
    """Accept a current TOTP code once, or an unused recovery code (then spent)."""
    store = staff_store()
    code = "".join(code.split())
    clock = now().timestamp()
    if user.locked_until > clock:
        return False
    if code.isdigit() and len(code) == 6:
        totp = pyotp.TOTP(user.totp_secret)
        for offset in (0, -1, 1):  # one step of clock drift either way
            step = int(clock // totp.interval) + offset
            matches = secrets.compare_digest(totp.at(step * totp.interval), code)
            if matches and store.use_totp_step(user.id, step):  # a code works once
                return True
        store.record_failure(user.id, LOCK_AFTER, LOCK_SECONDS, clock)
        _slow_down(user.failed + 1)
        return False
    given = _code_hash(code)
    for index, hashed in enumerate(user.recovery_codes):
        if not secrets.compare_digest(hashed, given):
            continue
        store.set_recovery_codes(
            user.id, [h for i, h in enumerate(user.recovery_codes) if i != index]
        )
        store.audit(user.email, "recovery code used", f"staff:{user.email}")
        return True
    store.record_failure(user.id, LOCK_AFTER, LOCK_SECONDS, clock)
    _slow_down(user.failed + 1)
    return False


def start_pending(user: StaffUser) -> None:
    """Remember, for a few minutes, who has given the right password."""
    session.clear()
    session["staff_pending"] = [user.id, now().timestamp()]


def pending_user() -> StaffUser | None:
    value = session.get("staff_pending")
    if not value:
        return None
    user_id, since = value
    if now().timestamp() - since > PENDING_SECONDS:
        session.pop("staff_pending", None)
        return None
    return staff_store().user_by_id(int(user_id))


def sign_in(user: StaffUser) -> None:
    """Start a new session: nothing from before sign-in survives, older sessions end."""
    store = staff_store()
    token = secrets.token_urlsafe(32)
    store.set_session_token(user.id, token)
    store.clear_failures(user.id)
    session.clear()
    fresh = store.user_by_id(user.id)
    assert fresh is not None
    login_user(StaffMember(fresh))
    session["staff_seen"] = now().timestamp()
    session["staff_sid"] = secrets.token_urlsafe(16)  # binds the forms' CSRF tokens
    store.audit(user.email, "signed in", f"staff:{user.email}")


def sign_out() -> None:
    if current_user.is_authenticated:
        staff_store().set_session_token(current_user.user.id, "")
        staff_store().audit(
            current_user.user.email, "signed out", f"staff:{current_user.user.email}"
        )
    logout_user()
    session.clear()


def _load_user(value: str):
    user_id, _, token = value.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = staff_store().user_by_id(int(user_id))
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    seen = session.get("staff_seen", 0)
    if now().timestamp() - seen > IDLE_SECONDS:
        return None  # idle too long: the session has ended
    return StaffMember(user)


def init_login(app: Flask) -> None:
    manager = LoginManager()
    manager.login_view = "staff.sign_in"
    manager.session_protection = None  # the database token does this job, behind proxies too
    manager.user_loader(_load_user)

    @manager.unauthorized_handler
    def _unauthorised():
        session.pop("_user_id", None)
        return redirect(url_for("staff.sign_in"))

    manager.init_app(app)


def require_role(*roles: str) -> Callable:
    """Let a view through only for a signed-in staff member with one of `roles`."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            session["staff_seen"] = now().timestamp()
            return view(*args, **kwargs)

        return guarded

    return decorate


def client_hint() -> str:
    """Say where a request came from without storing the address itself."""
    from web.limits import client_key

    return client_key()[:12] if request else ""
