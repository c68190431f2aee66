"""The curator journey in a real browser: sign in with TOTP, change a number, preview it, a
reviewer approves it, and the public page, a second instance and an SMS reply show it."""

from __future__ import annotations

from xml.etree import ElementTree

import pyotp
import pytest
from argon2 import PasswordHasher, profiles

from app import create_app
from tests.browser.conftest import ARTIFACTS, LiveServer
from tests.browser.test_site import axe_violations
from tests.chatbot.channel_app import signed_post
from tests.web.staff.helpers import PASSWORD, add_staff

pytestmark = pytest.mark.browser
CURATOR, REVIEWER = "cara@council.test", "rob@council.test"
# A test-only number in a test database: no real listing changes.
NEW = "01709 336081"


@pytest.fixture
def staff_server(tmp_path, monkeypatch):
    import web.staff.auth as auth

    monkeypatch.setattr(auth, "HASHER", PasswordHasher.from_parameters(profiles.CHEAPEST))
    config = {
        "SECRET_KEY": "browser-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'staff.sqlite3'}",
        "LANTERN_INDEX_DIR": str(tmp_path / "index"),
        "LANTERN_REFRESH_SECONDS": 0,
        "LANTERN_STAFF_SLOWDOWN": 0,
        "TWILIO_AUTH_TOKEN": "test-twilio-token",
    }
    app = create_app(config)
    secrets = {
        CURATOR: add_staff(app, CURATOR, "curator"),
        REVIEWER: add_staff(app, REVIEWER, "reviewer"),
    }
    with LiveServer(app) as server:
        yield server, secrets, config


def sign_in(page, url, email, secret):
    page.goto(f"{url}/staff/sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/second-factor")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/")


def test_curator_journey(browser, staff_server):
    server, secrets, config = staff_server
    url = server.url
    ARTIFACTS.mkdir(exist_ok=True)

    curator = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    curator.goto(f"{url}/staff/")
    assert curator.url.endswith("/staff/sign-in")  # nothing without signing in
    sign_in(curator, url, CURATOR, secrets[CURATOR])
    assert "Review queue" in curator.content()
    assert axe_violations(curator) == []
    curator.click("text=Rotherham Children's Multi-Agency Safeguarding Hub (MASH)")
    curator.wait_for_url("**/staff/edit/area:rotherham")
    text = curator.input_value("#document")
    curator.fill("#document", text.replace("01709 336080", NEW, 1))
    curator.fill("#why", "rang the council: the number has changed")
    curator.click("button[value=preview]")
    assert "Preview of the public card" in curator.content()
    assert f"tel:+44{NEW.replace(' ', '')[1:]}" in curator.content()
    curator.screenshot(path=str(ARTIFACTS / "staff-preview.png"), full_page=True)
    assert axe_violations(curator) == []
    curator.click("button[value=save]")
    curator.wait_for_url("**/staff/changes/*")
    assert curator.inner_text("#status") == "pending"
    assert "another reviewer must approve" not in curator.content()  # curators see no button
    assert curator.locator("text=Approve and publish").count() == 0
    public = browser.new_context().new_page()
    public.goto(f"{url}/services/rotherham-mash")
    assert NEW not in public.content()  # not published before review

    reviewer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(reviewer, url, REVIEWER, secrets[REVIEWER])
    reviewer.click("text=area:rotherham")
    reviewer.wait_for_url("**/staff/changes/*")
    reviewer.screenshot(path=str(ARTIFACTS / "staff-review.png"), full_page=True)
    assert axe_violations(reviewer) == []
    reviewer.click("text=Approve and publish")
    reviewer.wait_for_url("**/staff/changes/*")
    assert reviewer.inner_text("#status") == "published"

    public.goto(f"{url}/services/rotherham-mash")
    assert NEW in public.content()
    public.screenshot(path=str(ARTIFACTS / "staff-published-listing.png"), full_page=True)

    # A second instance on the same database shows it too.
    other = create_app({**config, "LANTERN_INDEX_DIR": config["LANTERN_INDEX_DIR"] + "-2"})
    assert NEW in other.test_client().get("/services/rotherham-mash").get_data(as_text=True)

    # And so does the triage over SMS.
    client = server.app.test_client()
    reply = ""
    for number, body in enumerate(("hello", "2", "Maltby")):
        form = {"From": "+447700900123", "To": "+441234567890", "Body": body,
                "MessageSid": f"SM{number:032d}"}  # fmt: skip
        response = signed_post(client, "/sms", form)
        reply = ElementTree.fromstring(response.data).find("Message").text
    assert NEW in reply
