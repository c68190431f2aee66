"""Markdown to safe HTML: the one place content becomes markup, and its one sanitiser."""

from __future__ import annotations

import re

import bleach
import markdown as md

ALLOWED_TAGS = frozenset(
    {"p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote", "br", "hr"}
)
ALLOWED_ATTRIBUTES = {"a": ["href"]}
ALLOWED_PROTOCOLS = frozenset({"https", "mailto", "tel"})

# [[service:id]] on its own line becomes a contact card; [[call:id]] inline becomes a tap-to-call
# link. Both are filled in from the directory at request time, so no number is typed into a page.
DIRECTIVE = re.compile(r"\[\[(service|call):([a-z0-9][a-z0-9-]*)\]\]")
BLOCK_DIRECTIVE = re.compile(r"<p>\[\[service:([a-z0-9][a-z0-9-]*)\]\]</p>")


def clean(html: str) -> str:
    """Strip everything outside the allow-list."""
    return bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
    )


def render(text: str) -> str:
    """Render Markdown and sanitise it; directives stay as text for `fill_directives`."""
    return clean(md.markdown(text, extensions=["sane_lists"], output_format="html"))


def directives(text: str) -> list[tuple[str, str]]:
    """List the (kind, id) directives a Markdown text uses."""
    return DIRECTIVE.findall(text)


def fill_directives(html: str, card, call) -> str:
    """Replace directives in sanitised HTML with trusted markup from `card(id)` and `call(id)`."""
    html = BLOCK_DIRECTIVE.sub(lambda m: str(card(m.group(1))), html)
    return DIRECTIVE.sub(
        lambda m: str((card if m.group(1) == "service" else call)(m.group(2))), html
    )
