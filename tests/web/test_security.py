"""Security and privacy headers, word for word."""

import re

import pytest

EXPECTED = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
        "interest-cohort=(), browsing-topics=()"
    ),
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}
CSP = (
    "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; "
    "manifest-src 'self'"
)


def test_page_headers_word_for_word(client):
    """Does every page carry exactly the headers we promise?"""
    response = client.get("/")
    for name, value in EXPECTED.items():
        assert response.headers[name] == value
    nonce = re.search(r"'nonce-([A-Za-z0-9_-]{16,})'", response.headers["Content-Security-Policy"])
    assert response.headers["Content-Security-Policy"] == CSP.format(nonce=nonce.group(1))
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_nonce_changes_every_request(client):
    """Is a fresh nonce made for each response?"""
    first = client.get("/").headers["Content-Security-Policy"]
    second = client.get("/").headers["Content-Security-Policy"]
    assert first != second


def test_error_pages_have_headers_too(client):
    """Do 404s get the same protection as pages?"""
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_cookie_on_pages(client):
    """Does reading the site leave no cookie behind?"""
    for path in ("/", "/young-people", "/ur/families", "/staying-safe"):
        response = client.get(path)
        assert "Set-Cookie" not in response.headers, path


def test_static_files_cacheable_but_not_pages(client):
    """Are static files cacheable while pages are never stored?"""
    response = client.get("/static/css/site.css")
    response.close()
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "max-age=86400" in response.headers["Cache-Control"]
    for path in ("/", "/young-people", "/ur/families", "/services?q=help", "/chat", "/nowhere"):
        page = client.get(path)
        assert page.headers["Cache-Control"] == "no-store", path
    # A kept page served again from the page cache is still never stored by the browser.
    assert client.get("/young-people").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "path",
    [
        "/services?q=my+uncle+touches+me",
        "/services?q=%22my%20uncle%22%20touches%20me",  # decoded to quotes and spaces
        "/services?q=my uncle touches me",
    ],
)
def test_development_server_log_leaves_out_what_was_searched(app, caplog, path):
    """Does `flask run`'s request line keep the path but not the query string?"""
    import logging

    from werkzeug.serving import WSGIRequestHandler

    class Handler(WSGIRequestHandler):
        def __init__(self):
            self.command, self.path, self.request_version = "GET", path, "HTTP/1.1"
            self.requestline = f"GET {path} HTTP/1.1"
            self.client_address = ("127.0.0.1", 1)

    with caplog.at_level(logging.INFO, logger="werkzeug"):
        Handler().log_request(200, 512)
    assert "GET /services?… HTTP/1.1" in caplog.text
    assert "uncle" not in caplog.text
