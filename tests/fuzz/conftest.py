"""The app each fuzz module runs against."""

from __future__ import annotations

import pytest

from app import create_app


@pytest.fixture(scope="session")
def fuzz_app(tmp_path_factory, index_dir):
    """Return a builder of apps on their own database and the shared index, with no rate limits:
    the fuzzer is one very busy client, and the limits have their own tests."""

    def build(name: str, **config):
        tmp = tmp_path_factory.mktemp(name)
        return create_app(
            {
                "TESTING": True,
                "SECRET_KEY": f"{name}-secret",
                "LANTERN_HMAC_KEY": f"{name}-hmac",
                "DATABASE_URL": f"sqlite:///{tmp / 'fuzz.sqlite3'}",
                "LANTERN_INDEX_DIR": str(index_dir),
                "RATELIMIT_ENABLED": False,
                **config,
            }
        )

    return build
