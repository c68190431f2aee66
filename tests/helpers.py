"""One helper that checks every HTML response the tests see."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

from flask.testing import FlaskClient

RTL = {"ur", "ar"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.html_attrs: dict = {}
        self.ids: list[str] = []
        self.scripts: list[dict] = []
        self.title = ""
        self._in_title = False
        self.h1 = 0
        self.urls: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_attrs = attrs
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "script":
            self.scripts.append(attrs)
        if tag == "title":
            self._in_title = True
        if tag == "h1":
            self.h1 += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("href", "src", "action", "data-exit-url"):
            if attrs.get(name):
                self.urls.append(attrs[name])

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def check_html(
    response, lang: str | None = "en", nonce: str | None = None, expect_status: int | None = None
) -> _Collector:
    """Assert what every HTML page must have: lang, dir, a title, unique ids, nonced scripts.

    `lang=None` accepts any language the site speaks (the page's dir must still match it).
    """
    from web.locale import LANGUAGES

    assert response.mimetype == "text/html"
    if expect_status is not None:
        assert response.status_code == expect_status
    else:
        assert response.status_code != 500, "an unexpected server error"
    page = parse(response.get_data(as_text=True))
    lang = lang or page.html_attrs.get("lang")
    assert lang in LANGUAGES, f"<html lang={lang!r}>"
    assert page.html_attrs.get("lang") == lang
    assert page.html_attrs.get("dir") == ("rtl" if lang in RTL else "ltr")
    assert page.title.strip(), "every page needs a title"
    duplicates = [i for i, n in Counter(page.ids).items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    csp = response.headers["Content-Security-Policy"]
    expected = re.search(r"'nonce-([^']+)'", csp).group(1)
    for script in page.scripts:
        assert script.get("nonce") == (nonce or expected), f"script without the nonce: {script}"
    assert page.h1 == 1, f"expected exactly one h1, found {page.h1}"
    return page


def is_whole_page(response) -> bool:
    """Return whether the response is an HTML document (not a fragment such as chat's reply)."""
    if response.mimetype != "text/html" or 300 <= response.status_code < 400:
        return False  # a redirect's body is werkzeug's, never shown
    return "<html" in response.get_data(as_text=True)[:500].lower()


class CheckedClient(FlaskClient):
    """The test client every test uses: it runs check_html on every whole HTML page it fetches,
    as GOV.UK Notify's client_request does. `open(..., check_html=False)` skips it."""

    def open(self, *args, check_html: bool = True, **kwargs):
        response = super().open(*args, **kwargs)
        if check_html and is_whole_page(response):
            check_page(response)
        return response


def check_page(response) -> None:
    """check_html for any language, and the language the URL asks for when it names one."""
    page = check_html(response, lang=None)
    prefix, _, rest = response.request.path.strip("/").partition("/")
    from web.locale import LANGUAGES

    # The staff area is English only, whatever the prefix (web/staff/__init__.py).
    if prefix in LANGUAGES and prefix != "en" and not rest.startswith("staff"):
        assert page.html_attrs.get("lang") == prefix, (response.request.path, page.html_attrs)
