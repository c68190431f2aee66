"""The app's clock: the one place that reads LANTERN_NOW, which tests set to freeze time."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, current_app


def now(app: Flask | None = None) -> datetime:
    """Return the current time, or the frozen time the app's config gives."""
    frozen = (app or current_app).config.get("LANTERN_NOW")
    return frozen() if callable(frozen) else datetime.now(UTC)
