"""The front server (deploy/nginx.conf) in front of real gunicorn: buffering, sizes, gzip, HSTS,
and the X-Forwarded-* headers it alone sets."""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time
import urllib.request

import pytest

from tests.servers import front_server, gunicorn

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """gunicorn with one worker (four threads) behind nginx; yields the proxy's base URL."""
    workdir = tmp_path_factory.mktemp("front")
    # The prefix is trusted here on purpose: only nginx removing a client's X-Forwarded-Prefix
    # keeps the links on this site.
    env = {"LANTERN_PROXY_HOPS": "1", "LANTERN_PROXY_PREFIX_HOPS": "1"}
    with (
        gunicorn(workdir / "app", env, workers=1) as app,
        front_server(workdir, app.port) as base,
    ):
        yield base, app


def fetch(url: str, headers: dict | None = None, data: bytes | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_pages_come_through_with_one_hsts_header_and_no_version(site):
    base, _ = site
    status, headers, body = fetch(f"{base}/young-people")
    assert status == 200 and b"999" in body
    assert headers.get_all("Strict-Transport-Security") == ["max-age=63072000; includeSubDomains"]
    assert headers["Server"] == "nginx"  # no version number
    assert headers["Cache-Control"] == "no-store"


def test_static_files_are_compressed_and_pages_are_not(site):
    """Is CSS gzipped, while pages (form tokens, echoed searches: BREACH) are not?"""
    base, _ = site
    status, headers, body = fetch(f"{base}/static/css/site.css", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert b"{" in gzip.decompress(body)
    _, headers, _ = fetch(f"{base}/services?q=help", {"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in headers


def test_forwarded_headers_come_from_nginx_alone(site):
    """Can a client move every link with X-Forwarded-Prefix/Host, or pose as another address?"""
    base, _ = site
    spoof = {
        "X-Forwarded-Prefix": "//evil.example",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "javascript",
        "X-Forwarded-For": "203.0.113.9",
    }
    status, _, body = fetch(f"{base}/", spoof)
    assert status == 200
    assert b"evil.example" not in body


def test_bodies_over_the_cap_are_refused_at_the_door(site):
    base, _ = site
    status, _, _ = fetch(f"{base}/feedback", data=b"comment=" + b"x" * 40_000)
    assert status == 413


def test_slow_clients_cannot_hold_the_workers(site):
    """With 40 clients each sending a header line every second, do pages still come at once?

    gunicorn here has one worker with four threads: without the front server's buffering, four
    such clients would hold every thread."""
    base, _ = site
    host, port = base.removeprefix("http://").split(":")
    stop = threading.Event()

    def dribble() -> None:
        with contextlib.suppress(OSError), socket.create_connection((host, int(port))) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            for n in range(8):
                if stop.wait(1):
                    return
                sock.sendall(f"X-Slow-{n}: 1\r\n".encode())

    clients = [threading.Thread(target=dribble, daemon=True) for _ in range(40)]
    for client in clients:
        client.start()
    time.sleep(1)
    slowest = 0.0
    try:
        for _ in range(10):
            started = time.monotonic()
            status, _, _ = fetch(f"{base}/healthz")
            slowest = max(slowest, time.monotonic() - started)
            assert status == 200
            time.sleep(0.3)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=5)
    assert slowest < 1.0, f"/healthz took {slowest:.2f} s behind 40 slow clients"


def test_twilio_signatures_hold_through_the_proxy(site):
    """Does a text Twilio signed for the public URL (port included) get through, not 403?"""
    import urllib.parse

    from tests.servers import signed_sms

    base, _ = site
    params, headers = signed_sms(base, "+447700900321", "I want to kill myself", "SMproxy1")
    status, _, body = fetch(f"{base}/sms", headers, urllib.parse.urlencode(params).encode())
    assert status == 200 and b"999" in body
