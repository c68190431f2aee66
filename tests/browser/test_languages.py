"""Seven languages in a real browser: axe-core, lang and dir, numbers left to right in RTL."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_site import axe_violations
from web.locale import LANGUAGES, RTL

pytestmark = pytest.mark.browser

KEY_PAGES = ["/", "/families", "/young-people/is-this-happening-to-me"]
FEATURE_PAGES = {
    "directory.search": ["/services", "/services?q=counselling", "/services/childline"],
    "chat.chat": ["/chat"],
}

# Each character's box, left to right on screen, must follow the number's own order.
DIGIT_ORDER = """
(el) => {
  const text = el.textContent;
  const node = el.firstChild;
  const xs = [];
  for (let i = 0; i < text.length; i++) {
    if (!/[0-9]/.test(text[i])) continue;
    const range = document.createRange();
    range.setStart(node, i);
    range.setEnd(node, i + 1);
    xs.push(range.getBoundingClientRect().left);
  }
  return xs;
}
"""


def key_paths(app) -> list[str]:
    paths = list(KEY_PAGES)
    for endpoint, extra in FEATURE_PAGES.items():
        if endpoint in app.view_functions:
            paths += extra
    return paths


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c not in ("en", "ur")])
def test_axe_key_pages_in_language(live_server, live_app, desktop, code):
    """Are the key pages axe-clean, with the right lang and dir, in this language?"""
    failures = {}
    for path in key_paths(live_app):
        desktop.goto(f"{live_server.url}/{code}{path}")
        assert desktop.get_attribute("html", "lang") == code
        assert desktop.get_attribute("html", "dir") == ("rtl" if code in RTL else "ltr")
        violations = axe_violations(desktop)
        if violations:
            failures[path] = violations
    assert not failures, failures


@pytest.mark.parametrize("code", sorted(RTL))
def test_phone_numbers_read_left_to_right(live_server, phone, code):
    """Inside Urdu and Arabic text, does 0800 1111 render as 0800 1111, never 1111 0800?"""
    phone.goto(f"{live_server.url}/{code}/young-people")
    numbers = phone.locator("a.tel bdi")
    assert numbers.count() >= 2
    checked = 0
    for i in range(numbers.count()):
        element = numbers.nth(i)
        if not element.is_visible():
            continue
        xs = element.evaluate(DIGIT_ORDER)
        assert xs == sorted(xs), f"{element.text_content()!r} is not left to right: {xs}"
        checked += 1
    assert checked >= 2


@pytest.mark.parametrize("code", sorted(RTL))
def test_rtl_screenshots(live_server, phone, code):
    """Save 360 px screenshots of a section page in Urdu and Arabic for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    phone.goto(f"{live_server.url}/{code}/young-people")
    phone.screenshot(path=str(ARTIFACTS / f"young-people-360-{code}.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
