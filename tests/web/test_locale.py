"""Languages: URL prefix, ?lang=, switcher, right-to-left."""

import pytest

from tests.helpers import check_html, parse
from web.locale import LANGUAGES


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_home_in_every_language(client, code):
    """Does each language's home page declare its language and direction?"""
    path = "/" if code == "en" else f"/{code}/"
    check_html(client.get(path), lang=code)


def test_links_keep_the_language(client):
    """Do the links on an Urdu page stay in Urdu?"""
    page = parse(client.get("/ur/").get_data(as_text=True))
    assert "/ur/young-people" in page.urls
    assert "/ur/exit" in page.urls
    assert "/static/css/site.css" in page.urls  # static files are shared by every language


def test_query_parameter_switches_language(client):
    """Does ?lang=pl send the reader to the Polish page, keeping other parameters?"""
    response = client.get("/families?lang=pl&x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/pl/families?x=1"


def test_unknown_language_falls_back_to_english(client):
    response = client.get("/families?lang=zz")
    assert response.headers["Location"] == "/families"


def test_language_switch_is_not_an_open_redirect(client):
    """Can ?lang= be abused to send someone to another site?"""
    for code in ("en", "ur"):
        response = client.get(f"//evil.example/?lang={code}")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/")
        assert not response.headers["Location"].startswith("//")


def test_switcher_uses_own_names_and_keeps_page(client):
    """Does the switcher name each language in itself and keep the reader on the same page?"""
    html = client.get("/families").get_data(as_text=True)
    for code, name in LANGUAGES.items():
        assert name in html
        href = "/families" if code == "en" else f"/{code}/families"
        assert f'href="{href}" lang="{code}"' in html


def test_unreviewed_translation_says_so(client):
    """Does a language not yet checked by a native speaker tell its readers?"""
    assert 'class="notice" role="note"' in client.get("/pl/").get_data(as_text=True)
    assert 'class="notice" role="note"' not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("asked", "canonical"),
    [
        ("/en", "/"),
        ("/en/", "/"),
        ("/en/families", "/families"),
        ("/en/families/", "/families"),
        ("/young-people/", "/young-people"),
        ("/services/", "/services"),
        ("/services/?q=police", "/services?q=police"),
        ("/services/childline/", "/services/childline"),
        ("/ur/families/", "/ur/families"),
    ],
)
def test_trailing_slash_and_en_redirect_to_the_canonical_url(client, asked, canonical):
    """Do /x/ and /en/x send the reader, permanently, to the one URL of the page?"""
    response = client.get(asked)
    assert response.status_code == 301
    assert response.headers["Location"] == canonical
    assert client.get(canonical).status_code == 200


def test_canonical_redirect_never_leaves_the_site(client):
    response = client.get("/en//example.org/")
    assert response.headers["Location"] == "/example.org"


@pytest.mark.parametrize("path", ["/", "/ur/", "/families", "/ur/families"])
def test_canonical_urls_are_not_redirected(client, path):
    assert client.get(path).status_code == 200


def test_posts_are_not_redirected(client):
    """A form posted to a slashed URL is not silently turned into a GET."""
    assert client.post("/feedback/").status_code != 301
