"""Rate limits per client on chat, search, feedback and SMS (issue 7 fills this in)."""

from __future__ import annotations

from flask import Flask


def init_rate_limits(app: Flask) -> None:
    """Attach the limiter; shared through Redis when REDIS_URL is set."""
    app.extensions.setdefault("lantern_limiter", None)
