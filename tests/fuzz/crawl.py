"""Find every route and every form of a running app, so the fuzz tests keep up as routes land."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from flask import Flask

from web.content import content

LANGS = ("en", "ur", "ar", "pl", "sk", "cs", "ro")
NOT_PAGES = {"static", "pages.healthz"}


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)  # name -> default value
    hidden: frozenset[str] = frozenset()
    choices: dict[str, list[str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.method} {self.action} (from {self.page})"


class _FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self._hidden: set[str] = set()
        self._current: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = attrs.get("action") or self.page
            self._current = Form(self.page, action, attrs.get("method", "get").upper())
            self._hidden = set()
            return
        form = self._current
        if form is None or not attrs.get("name"):
            return
        name = attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                form.choices.setdefault(name, []).append(attrs.get("value", "on"))
                form.fields.setdefault(name, attrs.get("value", "on"))
            else:
                form.fields[name] = attrs.get("value", "")
            if kind == "hidden":
                self._hidden.add(name)
        elif tag in ("textarea", "button"):
            form.fields.setdefault(name, attrs.get("value", ""))
        elif tag == "select":
            self._select = name
            form.fields.setdefault(name, "")
        elif tag == "option" and self._select:
            form.choices.setdefault(self._select, []).append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "form" and self._current is not None:
            self._current.hidden = frozenset(self._hidden)
            self.forms.append(self._current)
            self._current = None


def forms_on(html: str, page: str) -> list[Form]:
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms


def page_urls(app: Flask, sample_listings: int = 3) -> list[str]:
    """Return every page without URL arguments, every content page and a few listings."""
    urls = {"/"}
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods and not rule.arguments and rule.endpoint not in NOT_PAGES:
                urls.add(rule.rule)
        urls.update(f"/{path}" for lang, path in content().pages.pages if lang == "en")
        if "directory.listing" in app.view_functions:
            for sid in sorted(content().directory.services)[:sample_listings]:
                urls.add(url_for("directory.listing", service_id=sid))
    return sorted(urls)


def all_forms(app: Flask) -> list[Form]:
    """Return one of each distinct form (by method and action) found on any page."""
    client = app.test_client()
    found: dict[tuple[str, str], Form] = {}
    for url in page_urls(app):
        response = client.get(url)
        if response.mimetype != "text/html":
            continue
        for form in forms_on(response.get_data(as_text=True), url):
            action = urlsplit(form.action).path or url
            found.setdefault((form.method, re.sub(r"\?.*", "", action)), form)
    return list(found.values())


def routes(app: Flask) -> list[tuple[str, frozenset[str]]]:
    """Return every URL rule with its methods (HEAD and OPTIONS aside)."""
    return sorted(
        (rule.rule, frozenset(rule.methods - {"HEAD", "OPTIONS"}))
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
    )
