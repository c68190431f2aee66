"""A change published in the staff area reaches every instance within the refresh interval,
without a redeploy: two gunicorn instances sharing PostgreSQL."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

import pytest

from storage.staff import StaffStore
from tests.servers import gunicorn
from tests.services import postgres_database, require_services
from web.staff import publishing

pytestmark = pytest.mark.services
CONTENT = Path(__file__).resolve().parents[2] / "content"


def _page(base: str, path: str) -> str:
    with urllib.request.urlopen(f"{base}{path}", timeout=10) as response:
        return response.read().decode("utf-8")


def test_a_published_change_reaches_both_instances(tmp_path):
    require_services()
    with postgres_database() as database_url:
        env = {"DATABASE_URL": database_url, "LANTERN_REFRESH_SECONDS": "1"}
        with (
            gunicorn(tmp_path / "a", env, workers=1) as first,
            gunicorn(tmp_path / "b", env, workers=1) as second,
        ):
            for instance in (first, second):  # each has its pages cached before the change
                assert "Childline (NSPCC)" not in _page(instance.base, "/services/childline")
            store = StaffStore(database_url)
            document = publishing.current_documents(CONTENT, store)["service:childline"]
            change = publishing.propose(
                CONTENT,
                store,
                "service:childline",
                {**document, "name": "Childline (NSPCC)"},
                "name as the NSPCC gives it",
                "cara@council.test",
            )
            assert change.status == "published"
            deadline = time.monotonic() + 15
            seen: set[str] = set()
            while time.monotonic() < deadline and len(seen) < 2:
                for instance in (first, second):
                    if "Childline (NSPCC)" in _page(instance.base, "/services/childline"):
                        seen.add(instance.base)
                time.sleep(0.5)
            assert len(seen) == 2
            store.close()
