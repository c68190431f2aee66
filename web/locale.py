"""Languages: the /<lang>/ URL prefix, ?lang=xx, the switcher and right-to-left layout."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode

import yaml
from flask import Flask, redirect, request
from flask_babel import (
    Babel,
    force_locale,
    format_date,
    format_datetime,
    format_time,
    get_locale,
    gettext,
)

# Each language's own name, as the switcher shows it. English first; the rest in the order the
# communities of the first areas asked for them.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "ur": "اردو",
    "ar": "العربية",
    "pl": "Polski",
    "sk": "Slovenčina",
    "cs": "Čeština",
    "ro": "Română",
}
RTL = frozenset({"ur", "ar"})
DEFAULT = "en"
ENVIRON_KEY = "lantern.lang"
ROOT_KEY = "lantern.root"


class LanguagePrefix:
    """WSGI middleware: move a leading /<lang> from PATH_INFO into SCRIPT_NAME.

    Every route is then written once, and url_for() keeps the reader's language by itself.
    """

    def __init__(self, wsgi_app, languages=LANGUAGES):
        self.wsgi_app = wsgi_app
        self.prefixed = {code for code in languages if code != DEFAULT}

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        head, _, rest = path.lstrip("/").partition("/")
        environ[ROOT_KEY] = environ.get("SCRIPT_NAME", "")
        if head in self.prefixed:
            environ[ENVIRON_KEY] = head
            environ["SCRIPT_NAME"] = f"{environ[ROOT_KEY]}/{head}"
            environ["PATH_INFO"] = "/" + rest
        else:
            environ[ENVIRON_KEY] = DEFAULT
        return self.wsgi_app(environ, start_response)


def current_language() -> str:
    """Return the language code of this request."""
    return request.environ.get(ENVIRON_KEY, DEFAULT)


def babel_locale() -> str:
    """Return the locale for dates and numbers: British English for English pages."""
    code = current_language()
    return "en_GB" if code == DEFAULT else code


def is_rtl(code: str | None = None) -> bool:
    return (code or current_language()) in RTL


def lang_url(code: str, path: str | None = None) -> str:
    """Return the current page (or `path`) in language `code`, keeping the query string."""
    root = request.environ.get(ROOT_KEY, "")
    prefix = "" if code == DEFAULT else f"/{code}"
    # One leading slash, always: "//host" would be read by browsers as another site.
    target = "/" + quote((path if path is not None else request.path).lstrip("/\\"), safe="/")
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    suffix = f"?{urlencode(query)}" if query else ""
    return f"{root}{prefix}{target}{suffix}"


def static_url(filename: str) -> str:
    """Return a language-neutral URL for a static file, so every language shares the cache."""
    return f"{request.environ.get(ROOT_KEY, '')}/static/{filename}"


def _switch_by_query():
    # ?lang=xx on any GET is a language switch: redirect to the prefixed URL (a path we build
    # ourselves from the request, so this can never become an open redirect).
    code = request.args.get("lang")
    if request.method == "GET" and code is not None:
        code = code if code in LANGUAGES else DEFAULT
        return redirect(lang_url(code), code=302)
    return None


def missing_catalogues(app: Flask) -> list[str]:
    """Return the shipped languages whose compiled catalogue (.mo) is not there."""
    folders = [Path(p) for p in str(app.config["BABEL_TRANSLATION_DIRECTORIES"]).split(";")]
    return [
        code
        for code in LANGUAGES
        if code != DEFAULT
        and not any((f / code / "LC_MESSAGES" / "messages.mo").exists() for f in folders)
    ]


def warn_missing_catalogues(app: Flask) -> None:
    """Say loudly at start-up when a language would silently be served in English."""
    missing = missing_catalogues(app)
    if missing:
        app.logger.error(
            "NO COMPILED CATALOGUE for %s: these languages will be shown in English. "
            "Run `make translations-compile` (the .mo files are built, not committed).",
            ", ".join(missing),
        )


def _canonical_path():
    # One URL per page: "/en/x" is "/x" (English is unprefixed), and "/x/" is "/x". Built from
    # the path alone, with one leading slash, so "//host/" can never become another site.
    if request.method not in ("GET", "HEAD"):
        return None
    root = request.environ.get(ROOT_KEY, "")
    prefix = request.script_root[len(root) :]
    path = request.path
    head, _, rest = path.lstrip("/").partition("/")
    if prefix == "" and head == DEFAULT:
        path = "/" + rest
    elif path == "/" or not path.endswith("/"):
        return None
    elif request.url_rule is not None and request.url_rule.rule.endswith("/"):
        return None  # a route of its own with the slash (/staff/): that is its one URL
    target = root + prefix + "/" + quote(path.strip("/"), safe="/")
    query = request.query_string.decode("latin-1")
    return redirect(f"{target}?{query}" if query else target, code=301)


def init_babel(app: Flask) -> None:
    """Wire flask-babel to the URL language and give templates the helpers they need."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(app.root_path + "/translations"))
    Babel(app, locale_selector=babel_locale)
    status_file = Path(app.root_path) / "translations" / "status.yaml"
    status = yaml.safe_load(status_file.read_text(encoding="utf-8")) if status_file.exists() else {}
    # A language counts as checked only once a native speaker has reviewed its catalogue.
    app.extensions["lantern_translation_status"] = {
        code: code == DEFAULT or bool((status.get(code) or {}).get("reviewed"))
        for code in LANGUAGES
    }
    warn_missing_catalogues(app)
    app.wsgi_app = LanguagePrefix(app.wsgi_app)
    app.before_request(_canonical_path)
    app.before_request(_switch_by_query)
    # Globals rather than context: imported macros (contact cards) need them too.
    app.jinja_env.globals.update(
        format_date=format_date, format_time=format_time, format_datetime=format_datetime
    )

    @app.context_processor
    def language_helpers():
        return {
            "LANGUAGES": LANGUAGES,
            "lang": current_language(),
            "text_dir": "rtl" if is_rtl() else "ltr",
            "lang_url": lang_url,
            "static_url": static_url,
            "get_locale": get_locale,
        }


def translate(msgid: str, locale: str) -> str:
    """Translate a flow prompt through the site's catalogues (the engine's `translate`)."""
    with force_locale(locale):
        return gettext(msgid)
