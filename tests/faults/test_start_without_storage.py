"""An instance started while its stores cannot be reached still keeps its promises."""

from __future__ import annotations

import re

import pytest
from twilio.request_validator import RequestValidator

from app import create_app

CLOSED = "127.0.0.1:1"  # nothing listens on port 1


@pytest.mark.parametrize(
    "settings",
    [
        {"DATABASE_URL": f"postgresql://postgres@{CLOSED}/lantern"},
        {"REDIS_URL": f"redis://{CLOSED}/0"},
    ],
    ids=["postgresql-closed", "redis-closed"],
)
def test_exit_and_danger_answers_work_when_a_store_was_never_there(tmp_path, index_dir, settings):
    """Started with PostgreSQL or Redis on a closed port, do quick exit and danger replies work?"""
    app = create_app(
        {
            "SECRET_KEY": "closed-secret",
            "LANTERN_HMAC_KEY": "closed-hmac",
            "TWILIO_AUTH_TOKEN": "closed-token",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'closed.sqlite3'}",
            "LANTERN_INDEX_DIR": str(index_dir),
            "RATELIMIT_ENABLED": False,
            **settings,
        }
    )
    client = app.test_client()
    html = client.get("/chat").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    chat = client.post("/chat", data={"csrf_token": token, "message": "hes outside with a knife"})
    assert chat.status_code == 200
    assert "chat-reply-danger" in chat.get_data(as_text=True)

    form = {"From": "+447700900123", "Body": "i want to kill myself", "MessageSid": "SM1"}
    signature = RequestValidator("closed-token").compute_signature("http://localhost/sms", form)
    sms = client.post("/sms", data=form, headers={"X-Twilio-Signature": signature})
    assert sms.status_code == 200
    first = sms.get_data(as_text=True).split("<Message>", 1)[1]
    assert first.startswith("Call 999 now")

    leave = client.get("/exit")
    assert leave.status_code == 303
    assert leave.headers["Location"] == "https://www.bbc.co.uk/weather"
    assert leave.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
