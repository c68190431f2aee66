"""Fixtures for the staff area: an app with three accounts on a movable clock."""

from __future__ import annotations

import pytest

from app import create_app
from tests.web.staff.helpers import ADMIN, CURATOR, REVIEWER, Clock, add_staff


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """Hash with Argon2id's cheapest profile: the tests are about the rules, not the cost."""
    from argon2 import PasswordHasher, profiles

    import web.staff.auth as auth

    monkeypatch.setattr(auth, "HASHER", PasswordHasher.from_parameters(profiles.CHEAPEST))


@pytest.fixture
def app(tmp_path, clock, index_dir):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "LANTERN_HMAC_KEY": "test-hmac",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'staff.sqlite3'}",
            "LANTERN_INDEX_DIR": str(index_dir),
            "LANTERN_INSIGHT_FLUSH_SECONDS": 0,
            "LANTERN_STAFF_SLOWDOWN": 0,
            "LANTERN_REFRESH_SECONDS": 0,
            "LANTERN_NOW": clock,
        }
    )
    app.config["SECRETS"] = {
        CURATOR: add_staff(app, CURATOR, "curator"),
        REVIEWER: add_staff(app, REVIEWER, "reviewer"),
        ADMIN: add_staff(app, ADMIN, "administrator"),
    }
    return app
