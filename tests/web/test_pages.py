"""The home page, sections, quick exit, errors and the health check."""

import pytest

from app import create_app
from tests.helpers import check_html, parse

SECTIONS = ("/young-people", "/families", "/adult-survivors", "/professionals")


def test_home_has_the_four_ways_in_and_999(client):
    """Can a reader see what this is, the 999 line and the four ways in?"""
    response = client.get("/")
    page = check_html(response)
    html = response.get_data(as_text=True)
    for label in (
        "I'm under 18",
        "I'm worried about a child",
        "It happened to me when I was a child",
        "I work with children",
    ):
        assert label in html
    for section in SECTIONS:
        assert section in page.urls
    assert "tel:999" in page.urls
    assert "In danger now?" in html


@pytest.mark.parametrize("path", (*SECTIONS, "/staying-safe"))
def test_sections_render(client, path):
    check_html(client.get(path))


def test_title_is_neutral(client, app):
    """Does the browser tab show only the configured site name?"""
    for path in ("/", "/young-people", "/no-such-page"):
        assert parse(client.get(path).get_data(as_text=True)).title == "Lantern"
    renamed = create_app({**app.config, "LANTERN_SITE_NAME": "Weather notes"})
    assert parse(renamed.test_client().get("/").get_data(as_text=True)).title == "Weather notes"


def test_exit_link_on_every_page(client):
    """Is the no-JavaScript exit link on every page, with the neutral site to go to?"""
    for path in ("/", "/families", "/no-such-page", "/ur/"):
        page = parse(client.get(path).get_data(as_text=True))
        assert any(url.endswith("/exit") for url in page.urls), path
        assert "https://www.bbc.co.uk/weather" in page.urls


def test_exit_clears_session_and_redirects(client, app):
    """Does /exit end the session and any chat, and leave for the neutral site?"""
    store = app.extensions["lantern_store"]
    store.put_conversation("web:abc", {"node": "start"}, 600)
    with client.session_transaction() as session:
        session["cid"] = "abc"
    response = client.get("/exit")
    assert response.status_code == 303
    assert response.headers["Location"] == "https://www.bbc.co.uk/weather"
    assert store.get_conversation("web:abc") is None
    with client.session_transaction() as session:
        assert "cid" not in session


def test_exit_url_is_configurable(client, app):
    app.config["LANTERN_EXIT_URL"] = "https://example.org/"
    assert client.get("/exit").headers["Location"] == "https://example.org/"


def test_exit_beacon_gets_no_redirect(client):
    """Does the script's beacon get a bare 204, so it never fetches another site?"""
    assert client.post("/exit").status_code == 204


def test_friendly_404_shows_999_and_exit(client):
    response = client.get("/ur/no-such-page")
    assert response.status_code == 404
    page = check_html(response, lang="ur")
    assert "tel:999" in page.urls


def test_friendly_500(app, client):
    """Does an unexpected error still show 999 and the exit button?"""

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom", check_html=False)  # a 500 is what this test wants
    assert response.status_code == 500
    page = check_html(response, expect_status=500)
    assert "tel:999" in page.urls


def test_healthz_is_503_only_when_pages_cannot_be_served(app, client, monkeypatch):
    """Does the health check fail the instance when its templates are gone, and say which part?"""

    def broken(name, *args, **kwargs):
        raise OSError("templates unreadable")

    monkeypatch.setattr(app.jinja_env, "get_template", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["parts"]["pages"] == "down"
    assert response.get_json()["status"] == "down"


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "parts": {"pages": "ok", "database": "ok"}}


def test_request_size_capped(client):
    response = client.post("/feedback", data={"comment": "x" * 40_000})
    assert response.status_code == 413


def test_staying_safe_says_what_back_does(client):
    """Does the cover-your-tracks page say what tests/browser/test_exit.py measured, no more?"""
    html = client.get("/staying-safe").get_data(as_text=True)
    assert "Back goes to the page you were on before Lantern" in html
    assert "Back brings you to the last Lantern page you saw" in html  # JavaScript off
    assert "does <strong>not</strong> remove Lantern from your browser" in html
    assert "the Back button will not bring you back to Lantern" not in html
