"""Shared fixtures: an app on a temporary database and a test client."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from tests.helpers import CheckedClient

# Every app the tests build, by create_app or by hand, checks each whole HTML page it serves.
Flask.test_client_class = CheckedClient


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("index")


@pytest.fixture
def app(tmp_path, index_dir):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "LANTERN_HMAC_KEY": "test-hmac",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}",
            "LANTERN_INDEX_DIR": str(index_dir),
            "LANTERN_INSIGHT_FLUSH_SECONDS": 0,
            "TWILIO_AUTH_TOKEN": "test-twilio-token",
        }
    )
    yield app


@pytest.fixture
def client(app):
    return app.test_client()
