"""Engine fixtures: a tiny made-up directory and flow, and the shipped content."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from chatbot import load_flow, step
from directory import load_directory

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
# A Monday at 11:00 in London (in hours), and a Saturday night (out of hours).
WEEKDAY = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
WEEKEND_NIGHT = datetime(2026, 11, 28, 23, 30, tzinfo=UTC)


def identity(msgid: str, locale: str) -> str:
    return msgid


@pytest.fixture(scope="session")
def tiny_directory():
    return load_directory(FIXTURES / "content")


@pytest.fixture(scope="session")
def tiny_flow(tiny_directory):
    return load_flow(FIXTURES / "flows", directory=tiny_directory)


@pytest.fixture(scope="session")
def directory():
    return load_directory(ROOT / "content")


@pytest.fixture(scope="session")
def flow(directory):
    return load_flow(ROOT / "content" / "flows", directory=directory)


class Conversation:
    """Send messages one by one, keeping the state, as a channel would."""

    def __init__(self, flow, directory, now=WEEKDAY, locale="en", translate=identity):
        self.flow, self.directory, self.now = flow, directory, now
        self.locale, self.translate = locale, translate
        self.state = None
        self.reply = None

    def send(self, text: str):
        self.state, self.reply = step(
            self.state,
            text,
            self.locale,
            self.now,
            directory=self.directory,
            flow=self.flow,
            translate=self.translate,
        )
        return self.reply


@pytest.fixture
def tiny(tiny_flow, tiny_directory):
    """A conversation on the tiny fixture flow."""
    return Conversation(tiny_flow, tiny_directory)


@pytest.fixture
def chat(flow, directory):
    """A conversation on the shipped flow and directory."""
    return Conversation(flow, directory)
