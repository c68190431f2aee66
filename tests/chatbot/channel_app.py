"""A small Flask app with the Twilio channels, a real SQLite store and a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import Babel
from twilio.request_validator import RequestValidator

from storage import open_store

TOKEN = "test-twilio-token"


class Clock:
    """A clock the test moves on by hand."""

    def __init__(self):
        self.moment = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **kwargs) -> None:
        self.moment += timedelta(**kwargs)


def make_app(tmp_path, directory, flow, clock, **config) -> Flask:
    from chatbot.channels import sms, voice

    app = Flask("lantern-channels-test")
    # A bare harness without the site's layout or error pages: its responses are TwiML or
    # werkzeug's own error bodies, so the whole-page check does not apply.
    app.test_client_class = FlaskClient
    settings = {
        "TESTING": True,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "LANTERN_HMAC_KEY": "test-hmac",
        "LANTERN_NOW": clock,
    }
    app.config.update({**settings, **config})
    Babel(app)
    app.extensions["lantern"] = SimpleNamespace(directory=directory, flow=flow)
    app.extensions["lantern_store"] = open_store(f"sqlite:///{tmp_path / 'chat.sqlite3'}")
    app.register_blueprint(sms.bp)
    app.register_blueprint(voice.bp)
    return app


def signed_post(client, path: str, form: dict, token: str = TOKEN, query: str = ""):
    """Post as Twilio does, signing the full URL and the form with the auth token."""
    url = f"http://localhost{path}{query}"
    signature = RequestValidator(token).compute_signature(url, form)
    return client.post(path + query, data=form, headers={"X-Twilio-Signature": signature})
