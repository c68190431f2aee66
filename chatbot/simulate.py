"""A terminal conversation with the engine, for curators and reviewers (`flask chat simulate`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

from chatbot.engine import Translate, step
from chatbot.flow import Flow
from chatbot.segments import segments


def run(
    directory: Any,
    flow: Flow,
    translate: Translate,
    input: TextIO,
    output: TextIO,
    *,
    locale: str = "en",
    now: Callable[[], datetime] | None = None,
) -> int:
    """Read one message per line and print each reply with its route; return the count."""
    clock = now or (lambda: datetime.now(UTC))
    output.write("Type a message and press Enter, as someone texting would. Ctrl-D ends.\n\n")
    state = None
    count = 0
    for line in input:
        state, reply = step(
            state,
            line.rstrip("\r\n"),
            locale,
            clock(),
            directory=directory,
            flow=flow,
            translate=translate,
        )
        count += 1
        encoding, parts = segments(reply.text())
        danger = ",".join(sorted(reply.danger)) or "none"
        output.write(
            f"[{reply.locale} {reply.kind}: {reply.route} | danger: {danger} | "
            f"contacts: {', '.join(reply.contacts) or '-'} | {parts} {encoding} segments]\n"
        )
        output.write(reply.text() + "\n\n")
        output.flush()
    return count
