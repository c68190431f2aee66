"""Lantern's application factory: the one place that reads configuration and wires the parts."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

ROOT = Path(__file__).resolve().parent
log = logging.getLogger("lantern")


def read_config(environ=os.environ) -> dict:
    """Read every setting from the environment, with embedded defaults."""
    instance = Path(environ.get("LANTERN_INSTANCE_DIR", ROOT / "instance"))
    development = environ.get("LANTERN_ENV", "development") == "development"
    return {
        "SECRET_KEY": environ.get("SECRET_KEY", ""),
        "LANTERN_HMAC_KEY": environ.get("LANTERN_HMAC_KEY", ""),
        "LANTERN_DEVELOPMENT": development,
        "LANTERN_SITE_NAME": environ.get("LANTERN_SITE_NAME", "Lantern"),
        "LANTERN_EXIT_URL": environ.get("LANTERN_EXIT_URL", "https://www.bbc.co.uk/weather"),
        "LANTERN_CONTENT_DIR": environ.get("LANTERN_CONTENT_DIR", str(ROOT / "content")),
        "LANTERN_INDEX_DIR": environ.get("LANTERN_INDEX_DIR", str(instance / "index")),
        "DATABASE_URL": environ.get("DATABASE_URL", f"sqlite:///{instance / 'lantern.sqlite3'}"),
        "REDIS_URL": environ.get("REDIS_URL", ""),
        "LANTERN_REDIS_PREFIX": environ.get("LANTERN_REDIS_PREFIX", "lantern:"),
        "LANTERN_STORAGE_TIMEOUT": float(environ.get("LANTERN_STORAGE_TIMEOUT", "0.5")),
        "LANTERN_STORAGE_COOLDOWN": float(environ.get("LANTERN_STORAGE_COOLDOWN", "2")),
        "TWILIO_AUTH_TOKEN": environ.get("TWILIO_AUTH_TOKEN", ""),
        "LANTERN_AREA": environ.get("LANTERN_AREA", "rotherham"),
        "LANTERN_VOICE_AREA": environ.get("LANTERN_VOICE_AREA", "rotherham"),
        "LANTERN_PROXY_HOPS": int(environ.get("LANTERN_PROXY_HOPS", "0")),
        "LANTERN_PROXY_PREFIX_HOPS": int(environ.get("LANTERN_PROXY_PREFIX_HOPS", "0")),
        "LANTERN_FEEDBACK_DAYS": int(environ.get("LANTERN_FEEDBACK_DAYS", "365")),
        "LANTERN_PAGE_CACHE": int(environ.get("LANTERN_PAGE_CACHE", "1024")),
        # How often each worker writes its insight counters; 0 writes them at once.
        "LANTERN_INSIGHT_FLUSH_SECONDS": float(environ.get("LANTERN_INSIGHT_FLUSH_SECONDS", "5")),
        "LANTERN_REFRESH_SECONDS": float(environ.get("LANTERN_REFRESH_SECONDS", "10")),
        "MAX_CONTENT_LENGTH": 16 * 1024,
        "BABEL_DEFAULT_TIMEZONE": "Europe/London",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not development,
        "SESSION_COOKIE_NAME": "s",
        "SEND_FILE_MAX_AGE_DEFAULT": 86400,
    }


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: configuration, languages, headers, content, storage, blueprints."""
    from storage import open_store
    from web.cli import register_commands
    from web.clock import now
    from web.content import load_content
    from web.csrf import init_csrf
    from web.errors import register_error_pages
    from web.insight import init_insight
    from web.limits import init_rate_limits
    from web.locale import init_babel
    from web.needs import init_needs
    from web.pagecache import init_page_cache
    from web.security import register_security_headers
    from web.staff import init_staff

    app = Flask(
        __name__,
        template_folder=str(ROOT / "site" / "templates"),
        static_folder=str(ROOT / "site" / "static"),
    )
    app.config.update(read_config())
    app.config.update(overrides or {})
    ensure_secrets(app)

    init_page_cache(app)  # first, so that it sits inside the language prefix and proxy fix
    init_babel(app)
    register_security_headers(app)
    init_csrf(app)
    load_content(app)
    init_needs(app)
    app.extensions["lantern_store"] = open_store(
        app.config["DATABASE_URL"],
        app.config["REDIS_URL"],
        redis_prefix=app.config["LANTERN_REDIS_PREFIX"],
        clock=lambda: now(app),
        timeout=app.config["LANTERN_STORAGE_TIMEOUT"],
        cooldown=app.config["LANTERN_STORAGE_COOLDOWN"],
    )
    init_staff(app)  # after the store: published listings replace their seed documents
    init_insight(app)
    init_rate_limits(app)
    register_blueprints(app)
    register_error_pages(app)
    register_commands(app)
    hops, prefix = app.config["LANTERN_PROXY_HOPS"], app.config["LANTERN_PROXY_PREFIX_HOPS"]
    if hops or prefix:
        # X-Forwarded-Prefix moves every link and script of every page: it is trusted only when
        # the site is really served under a path and its own setting says so.
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=prefix
        )
    return app


def ensure_secrets(app: Flask) -> None:
    """Refuse to run in production without SECRET_KEY; in development make one and say so."""
    if not app.config["SECRET_KEY"]:
        if not app.config["LANTERN_DEVELOPMENT"]:
            raise RuntimeError("SECRET_KEY must be set when LANTERN_ENV is not development")
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        log.warning("SECRET_KEY is not set: using a random development secret for this process")
    app.config["LANTERN_HMAC_KEY"] = app.config["LANTERN_HMAC_KEY"] or app.config["SECRET_KEY"]


def register_blueprints(app: Flask) -> None:
    from chatbot.channels import sms, voice
    from chatbot.channels import web as chat
    from web import directory, feedback, keep, pages

    app.register_blueprint(feedback.bp)
    app.register_blueprint(keep.bp)
    app.register_blueprint(directory.bp)
    app.register_blueprint(chat.bp)
    app.register_blueprint(sms.bp)
    app.register_blueprint(voice.bp)
    app.register_blueprint(pages.bp)  # last: its catch-all content route yields to the others
