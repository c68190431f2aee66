"""Helpers for staff-area tests: accounts, a movable clock and signing in with two factors."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp

from web.staff.auth import create_account

PASSWORD = "correct horse battery staple"
ROOT_CONTENT = Path(__file__).resolve().parents[3] / "content"
CURATOR, REVIEWER, ADMIN = "cara@council.test", "rob@council.test", "ada@council.test"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """A clock tests move by hand; each sign-in moves it on a TOTP step so codes are fresh."""

    def __init__(self) -> None:
        # Real time: conversation state expires by the wall clock.
        self.moment = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **kwargs) -> None:
        self.moment += timedelta(**kwargs)


def add_staff(app, email: str, role: str) -> str:
    """Create an account; return its TOTP secret."""
    with app.app_context():
        secret, codes = create_account(
            app.extensions["lantern_staff"], email, email.split("@")[0], role, PASSWORD
        )
    app.config.setdefault("TEST_RECOVERY", {})[email] = codes
    return secret


def token(client, path: str, action: str | None = None) -> str:
    """Return the form token of the form posting to `action` (by default, to `path`)."""
    html = client.get(path).get_data(as_text=True)
    start = html.find(f'action="{action or path}"')
    if start < 0:
        start = html.find(f'action="{action or path}')
    found = TOKEN.search(html, max(start, 0))
    assert found, f"no form token on {path}"
    return found.group(1)


def code(app, secret: str) -> str:
    return pyotp.TOTP(secret).at(app.config["LANTERN_NOW"]())


def sign_in(app, client, email: str, secret: str, password: str = PASSWORD):
    """Sign in with both factors; return the last response."""
    app.config["LANTERN_NOW"].advance(seconds=31)  # a new TOTP step: codes work once
    response = client.post(
        "/staff/sign-in",
        data={"email": email, "password": password, "csrf_token": token(client, "/staff/sign-in")},
    )
    if response.status_code != 302:
        return response
    return client.post(
        "/staff/second-factor",
        data={"code": code(app, secret), "csrf_token": token(client, "/staff/second-factor")},
    )


def signed_in(app, email):
    client = app.test_client()
    response = sign_in(app, client, email, app.config["SECRETS"][email])
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/")
    return client


def edit(client, key, document, why="numbers checked with the council", action="save"):
    return client.post(
        f"/staff/edit/{key}",
        data={
            "document": document,
            "why": why,
            "action": action,
            "csrf_token": token(client, f"/staff/edit/{key}"),
        },
    )


def document(client, key):
    import html
    import re

    page = client.get(f"/staff/edit/{key}").get_data(as_text=True)
    return html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1))
