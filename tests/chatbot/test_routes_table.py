"""The table: realistic first messages in every language, and where each must lead."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from .conftest import Conversation

TABLE = yaml.safe_load((Path(__file__).parent / "routes_table.yaml").read_text(encoding="utf-8"))
GROUPS = ("en", "ur", "ur-Latn", "ar", "pl", "sk", "cs", "ro")


def _route(reply) -> str:
    return reply.route if reply.kind == "answer" else f"ask:{reply.route}"


def test_table_is_big_and_covers_every_language():
    """Does the table hold 150+ messages with at least ten in each language?"""
    assert len(TABLE) >= 150
    counts = Counter(row["group"] for row in TABLE)
    assert set(counts) == set(GROUPS)
    assert min(counts.values()) >= 10


@pytest.mark.parametrize("row", TABLE, ids=[f"{r['group']}-{i}" for i, r in enumerate(TABLE)])
def test_first_message_reaches_its_route(row, flow, directory):
    """Does this first message reach the route, language and warnings the table gives?"""
    reply = Conversation(flow, directory).send(row["text"])
    assert _route(reply) == row["route"]
    assert reply.locale == row["lang"]
    danger = row.get("danger", False) or row.get("suicide", False)
    assert bool(reply.danger) is danger
    if danger:
        assert reply.lines[0].service == "emergency-999"
    assert ("suicide" in reply.danger) is row.get("suicide", False)
    for service in row.get("has", ()):
        assert service in reply.contacts
    if reply.route in ("survivor", "worried_local", "worried_national", "professional_local"):
        assert "childline" not in reply.contacts  # never Childline for an adult
