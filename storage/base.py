"""The storage interface every backend implements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


class StorageUnavailable(Exception):
    """A store could not be reached in time: callers degrade (stateless, retry page), not fail."""


@dataclass(frozen=True)
class Feedback:
    """One answer to "was this page helpful?" or one problem report on a listing."""

    kind: str  # "page" or "listing"
    target: str  # page id or service id
    helpful: bool | None
    comment: str
    created: date


class Store(Protocol):
    def get_conversation(self, key: str, now: datetime | None = None) -> dict | None: ...

    def put_conversation(
        self, key: str, state: dict, ttl_seconds: int, now: datetime | None = None
    ) -> None: ...

    def delete_conversation(self, key: str) -> None: ...

    def forget(self, key: str) -> None:
        """Delete every trace of a conversation: its state and the replies kept for retries."""
        ...

    def seen_message(
        self, key: str, message_sid: str, reply: str, ttl_seconds: int, now: datetime | None = None
    ) -> str | None:
        """Remember `reply` for this message; return the earlier reply if it was seen before."""
        ...

    def add_feedback(self, item: Feedback) -> None: ...

    def list_feedback(self) -> list[Feedback]: ...

    def purge(self, now: datetime, feedback_days: int) -> dict[str, int]:
        """Remove expired conversations and feedback older than `feedback_days`."""
        ...

    def ping(self) -> bool: ...

    def health(self) -> dict[str, str]:
        """Return each part's state, "ok" or "down", without waiting on a part known to be down."""
        ...
