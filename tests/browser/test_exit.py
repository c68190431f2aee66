"""Quick exit keeps its word: what Back does after each way of leaving, measured in Chromium.

Each test starts on a page that is not Lantern ("before"), opens Lantern, moves within it the
way a reader does (a link, the search form, the feedback form), leaves, then presses Back.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

BEFORE = "http://before.test/"


@pytest.fixture
def before_page():
    """Serve a stand-in for the page the reader was on before Lantern (no network is used)."""

    def serve(page):
        page.context.route(
            BEFORE,
            lambda route: route.fulfill(
                status=200, content_type="text/html", body="<title>before</title><p>before"
            ),
        )
        page.goto(BEFORE)

    return serve


def leave_and_press_back(page, live_server, leave) -> str:
    leave(page)
    page.wait_for_url(live_server.url + "/healthz")
    page.go_back()
    page.wait_for_load_state()
    return page.url


def test_moving_within_lantern_keeps_one_history_entry(live_server, phone, before_page):
    """With JavaScript, do links and the search form replace Lantern's one history entry?"""
    before_page(phone)
    phone.goto(live_server.url + "/")
    phone.click("a.way >> nth=1")
    phone.wait_for_url(live_server.url + "/families")
    phone.fill("#find-q", "someone to talk to tonight")
    phone.press("#find-q", "Enter")
    phone.wait_for_url("**/services?q=*")
    phone.go_back()
    phone.wait_for_load_state()
    assert phone.url == BEFORE


@pytest.mark.parametrize(
    "how",
    ["button (mouse click)", "Shift three times", "button (tap)"],
)
def test_back_after_leaving_with_javascript(live_server, browser, before_page, how):
    """After leaving with JavaScript on, does Back go to the page before Lantern?"""
    touch = how == "button (tap)"
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=touch, has_touch=touch
    )
    page = context.new_page()
    before_page(page)
    page.goto(live_server.url + "/")
    page.click("a.way >> nth=1")
    page.wait_for_url(live_server.url + "/families")
    page.fill("#find-q", "need someone to talk to tonight")
    page.press("#find-q", "Enter")
    page.wait_for_url("**/services?q=*")

    def leave(page):
        if how == "button (tap)":
            page.tap(".exit")
        elif how == "Shift three times":
            page.locator("h1").click()
            for _ in range(3):
                page.keyboard.press("Shift")
        else:
            page.click(".exit")

    assert leave_and_press_back(page, live_server, leave) == BEFORE
    context.close()


def test_back_after_feedback_then_leaving(live_server, desktop, before_page):
    """After sending feedback (a post) and leaving, does Back still skip Lantern?"""
    before_page(desktop)
    desktop.goto(live_server.url + "/families")
    desktop.check("input[name=helpful][value=yes]")
    desktop.click("#feedback button[type=submit]")
    desktop.wait_for_url("**feedback=thanks*")
    assert leave_and_press_back(desktop, live_server, lambda p: p.click(".exit")) == BEFORE


def test_back_after_leaving_without_javascript(live_server, no_js, before_page):
    """Without JavaScript, Back after /exit returns to the last Lantern page (we cannot stop it).

    This is measured so the staying-safe page can say it: with scripts off, close the tab too.
    """
    before_page(no_js)
    no_js.goto(live_server.url + "/")
    no_js.goto(live_server.url + "/families")
    url = leave_and_press_back(no_js, live_server, lambda p: p.click(".exit"))
    assert url == live_server.url + "/families"
    # The page comes back from the server, not a kept copy, and the session is gone.
    assert no_js.context.cookies() == []


def swipe_from(page, selector, dy):
    """Touch down on an element, move the finger `dy` pixels and lift it: a swipe, not a tap."""
    box = page.locator(selector).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 6):
        point = {"x": x, "y": y + dy * step / 5}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_swipe_starting_on_exit_does_not_leave(live_server, phone):
    """Does a swipe that starts on the sticky exit button leave the reader where they were?"""
    phone.goto(live_server.url + "/staying-safe")
    swipe_from(phone, ".exit", 300)
    phone.wait_for_timeout(500)
    assert phone.url == live_server.url + "/staying-safe"
    assert "leaving" not in (phone.get_attribute("html", "class") or "")


def test_tap_on_exit_leaves(live_server, phone):
    phone.goto(live_server.url + "/staying-safe")
    phone.tap(".exit")
    phone.wait_for_url(live_server.url + "/healthz")


@pytest.mark.parametrize(
    ("fixture", "shown"), [("desktop", True), ("phone", False), ("no_js", False)]
)
def test_shift_hint_only_with_keyboard_and_javascript(live_server, request, fixture, shown):
    """Is "press Shift 3 times" shown with a mouse and keyboard, hidden on phones and without JS?"""
    page = request.getfixturevalue(fixture)
    page.goto(live_server.url + "/")
    assert page.locator(".exit-hint").is_visible() is shown


def test_shift_hint_appears_when_a_keyboard_is_used(live_server, phone):
    """On a touch screen with a keyboard attached, does pressing Shift bring the hint?"""
    phone.goto(live_server.url + "/")
    phone.keyboard.press("Shift")
    assert phone.locator(".exit-hint").is_visible()


def test_chat_and_clear_keep_one_history_entry(live_server, phone, before_page):
    """After chatting and clearing the conversation (a post), does Back still skip Lantern?"""
    before_page(phone)
    phone.goto(live_server.url + "/chat")
    phone.fill("#chat-message", "hello")
    phone.click("#chat-form button[type=submit]")
    phone.wait_for_function("() => document.querySelectorAll('.chat-reply').length > 1")
    phone.click(".chat-clear button")
    phone.wait_for_function("() => document.querySelectorAll('.chat-reply').length === 1")
    assert leave_and_press_back(phone, live_server, lambda p: p.tap(".exit")) == BEFORE


def test_leaving_with_javascript_ends_the_chat_and_its_cookie(live_server, phone):
    """After chatting and tapping Exit, is Lantern's session cookie gone from the browser?"""
    phone.goto(live_server.url + "/chat")
    phone.fill("#chat-message", "hello")
    phone.click("#chat-form button[type=submit]")
    phone.wait_for_function("() => document.querySelectorAll('.chat-reply').length > 1")
    assert phone.context.cookies()  # the chat's conversation id
    phone.tap(".exit")
    phone.wait_for_url(live_server.url + "/healthz")
    phone.wait_for_timeout(500)  # the beacon is sent as the page leaves
    assert phone.context.cookies() == []
