"""The two apps the throughput benchmark compares, each served by the same gunicorn settings."""

from __future__ import annotations

from flask import Flask


def hello() -> Flask:
    """Return a bare Flask "hello world": the yardstick for rendered pages per second."""
    app = Flask(__name__)

    @app.get("/")
    def index():
        return "Hello, World!"

    return app


def lantern() -> Flask:
    """Return Lantern as configured by the environment, rate limits off (one client does it all)."""
    from app import create_app

    return create_app({"RATELIMIT_ENABLED": False})
