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


DANGER_ROWS = [r for r in TABLE if r.get("danger") or r.get("suicide")]


@pytest.mark.parametrize(
    "row", DANGER_ROWS, ids=[f"{r['group']}-{i}" for i, r in enumerate(DANGER_ROWS)]
)
def test_danger_in_the_table_leads_with_999(row, flow, directory):
    """Does every message the table marks as danger get a reply that opens with 999?"""
    reply = Conversation(flow, directory).send(row["text"])
    assert reply.leads_with_999
    if row.get("suicide"):
        assert "samaritans" in reply.contacts


@pytest.fixture(scope="module")
def replies(flow, directory):
    return [(row, Conversation(flow, directory).send(row["text"])) for row in TABLE]


def test_table_figures(replies):
    """Do the table's first messages still reach their routes and languages, adults never Childline?

    The team wrote this table and tuned the phrase rules against it, so it is a regression net,
    not a measure: the measure is the held-out set (test_reader.py, `make evaluate`). Routes the
    classifier now reads differently from the table (a parent's "she ran away again and her
    phone is off" as danger, say) are allowed up to the floors below.
    """
    routes = sum(_route(reply) == row["route"] for row, reply in replies) / len(replies)
    languages = sum(reply.locale == row["lang"] for row, reply in replies) / len(replies)
    assert routes >= 0.9, routes
    assert languages >= 0.97, languages
    for row, reply in replies:
        if reply.route in ("survivor", "worried_local", "worried_national", "professional_local"):
            assert "childline" not in reply.contacts, row["text"]  # never Childline for an adult
        for service in row.get("has", ()):
            if _route(reply) == row["route"]:
                assert service in reply.contacts, row["text"]
