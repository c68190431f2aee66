"""A disclosure typed into "Was this page helpful?" gets help on the next page, not a thank-you."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "ur"])
@pytest.mark.parametrize("fixture", ["phone", "no_js"])
def test_disclosure_in_feedback_gets_help(live_server, live_app, request, fixture, lang):
    """With JavaScript on and off, does "my stepdad hurts me" bring Childline and 999 to the top?"""
    page = request.getfixturevalue(fixture)
    prefix = "" if lang == "en" else f"/{lang}"
    page.goto(f"{live_server.url}{prefix}/young-people")
    page.fill("#feedback-comment", "i need help my stepdad hurts me")
    page.click("#feedback button[type=submit]")
    page.wait_for_url("**feedback=sent*")
    box = page.locator("#help-now")
    assert box.is_visible()
    directory = live_app.extensions["lantern"].directory
    for service_id in ("emergency-999", "childline"):
        assert box.locator(f"a[href='{directory.get(service_id).phone.tel_uri}']").count() == 1
    top = box.bounding_box()
    assert top and top["y"] < 740  # on the first screen, not down by the form
    if fixture == "phone":
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"feedback-help-360-{lang}.png"))
