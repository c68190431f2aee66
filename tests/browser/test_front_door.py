"""The front door on a small phone: talk now, a sentence search and 999, above the fold."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS
from web.locale import LANGUAGES

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 640}
PAGES = ("/", "/young-people", "/families", "/adult-survivors", "/professionals")
MUST_SEE = (".exit", ".danger", "h1", ".talk", ".talk .tel", "#find-q", ".find button")


@pytest.fixture(scope="module")
def small_phone(browser):
    context = browser.new_context(viewport=SMALL_PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_talk_now_search_and_999_above_the_fold(live_server, small_phone, lang):
    """On a 360 x 640 phone, in every language, are the exit, 999, talk now and search visible?"""
    prefix = "" if lang == "en" else f"/{lang}"
    failures = []
    for path in PAGES:
        small_phone.goto(live_server.url + prefix + path)
        for selector in MUST_SEE:
            box = small_phone.locator(selector).first.bounding_box()
            if not box or box["y"] + box["height"] > SMALL_PHONE["height"]:
                failures.append((path, selector, box and box["y"] + box["height"]))
        if small_phone.evaluate("document.documentElement.scrollWidth") > SMALL_PHONE["width"]:
            failures.append((path, "sideways scroll", None))
    assert not failures, failures


def test_sentence_search_from_home(live_server, small_phone):
    """Can a reader type a sentence on the home page and land on results for it?"""
    small_phone.goto(live_server.url + "/")
    small_phone.fill("#find-q", "need someone to talk to tonight")
    small_phone.click(".find button")
    small_phone.wait_for_url("**/services?q=*")
    assert small_phone.locator("#main").inner_text()


@pytest.mark.parametrize("lang", ["en", "ur"])
@pytest.mark.parametrize("path", ["/", "/adult-survivors"])
def test_screenshot_front_door(live_server, small_phone, lang, path):
    """Save 360 x 640 screenshots of home and an audience page for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    prefix = "" if lang == "en" else f"/{lang}"
    small_phone.goto(live_server.url + prefix + path)
    name = path.strip("/") or "home"
    shot = ARTIFACTS / f"front-door-{name}-360x640-{lang}.png"
    small_phone.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("lang", "sentence", "first"),
    [
        ("en", "i want to end my life", "emergency-999"),
        ("ur", "مجھے کسی سے بات کرنی ہے", "childline"),
    ],
)
def test_sentence_search_leads_with_the_need(
    live_server, live_app, small_phone, lang, sentence, first
):
    """Typed on the home page, does a sentence bring the line it needs to the top of the results?"""
    prefix = "" if lang == "en" else f"/{lang}"
    small_phone.goto(live_server.url + prefix + "/")
    small_phone.fill("#find-q", sentence)
    small_phone.click(".find button")
    small_phone.wait_for_url("**/services?q=*")
    top = small_phone.locator(".results .card-title a").first.get_attribute("href")
    assert top == f"{prefix}/services/{first}"
    ARTIFACTS.mkdir(exist_ok=True)
    small_phone.screenshot(path=str(ARTIFACTS / f"sentence-search-360x640-{lang}.png"))


NEW_PAGES = (
    "/",
    "/young-people",
    "/adult-survivors",
    "/staying-safe",
    "/save-numbers?for=families",
    "/families?feedback=sent&n=0",  # 0: danger
    "/services?q=i+want+to+end+my+life",
)


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_axe_on_the_new_parts(live_server, phone, lang):
    """Does axe-core find no WCAG 2.2 A/AA violation in talk now, help after feedback, the card?"""
    from tests.browser.test_site import axe_violations

    prefix = "" if lang == "en" else f"/{lang}"
    failures = {}
    for path in NEW_PAGES:
        phone.goto(live_server.url + prefix + path)
        violations = axe_violations(phone)
        if violations:
            failures[path] = violations
    assert not failures, failures


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_above_the_fold_without_javascript(live_server, browser, lang):
    """With JavaScript off, are the exit link, 999, talk now and search on the first screen?"""
    context = browser.new_context(viewport=SMALL_PHONE, java_script_enabled=False)
    page = context.new_page()
    prefix = "" if lang == "en" else f"/{lang}"
    failures = []
    for path in ("/", "/families"):
        page.goto(live_server.url + prefix + path)
        for selector in MUST_SEE:
            box = page.locator(selector).first.bounding_box()
            if not box or box["y"] + box["height"] > SMALL_PHONE["height"]:
                failures.append((path, selector))
        assert not page.locator(".exit-hint").is_visible()  # Shift does nothing without JS
    context.close()
    assert not failures, failures
