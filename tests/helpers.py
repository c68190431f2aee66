"""One helper that checks every HTML response the tests see."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

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


def check_html(response, lang: str = "en", nonce: str | None = None) -> _Collector:
    """Assert what every HTML page must have: lang, dir, a title, unique ids, nonced scripts."""
    assert response.mimetype == "text/html"
    page = parse(response.get_data(as_text=True))
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
