"""The staff area: two-factor sign-in, roles, CSRF, sessions, two-person review and the audit."""

from __future__ import annotations

import csv
import io

from app import create_app
from tests.helpers import check_html
from tests.web.staff.helpers import (
    ADMIN,
    CURATOR,
    PASSWORD,
    REVIEWER,
    code,
    document,
    edit,
    sign_in,
    signed_in,
    token,
)


def test_sign_in_needs_both_factors(app):
    """Is every staff page out of reach until the second factor is given?"""
    client = app.test_client()
    assert client.get("/staff/").status_code == 302
    response = client.post(
        "/staff/sign-in",
        data={
            "email": CURATOR,
            "password": PASSWORD,
            "csrf_token": token(client, "/staff/sign-in"),
        },
    )
    assert response.headers["Location"].endswith("/staff/second-factor")
    for path in ("/staff/", "/staff/changes", "/staff/edit/service:childline", "/staff/audit"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].endswith("/staff/sign-in"), path


def test_sign_in_with_totp_then_pages_are_reachable(app):
    client = signed_in(app, CURATOR)
    response = client.get("/staff/")
    assert response.status_code == 200
    check_html(response)
    assert "Review queue" in response.get_data(as_text=True)


def test_a_totp_code_works_once(app):
    """Is a one-time code refused the second time (replay)?"""
    client = app.test_client()
    secret = app.config["SECRETS"][CURATOR]
    sign_in(app, client, CURATOR, secret)
    again = app.test_client()
    again.post(
        "/staff/sign-in",
        data={"email": CURATOR, "password": PASSWORD, "csrf_token": token(again, "/staff/sign-in")},
    )
    replay = again.post(
        "/staff/second-factor",
        data={"code": code(app, secret), "csrf_token": token(again, "/staff/second-factor")},
    )
    assert replay.status_code == 401


def test_a_recovery_code_works_once(app):
    client = app.test_client()
    recovery = app.config["TEST_RECOVERY"][CURATOR][0]
    for expected in (302, 401):
        client.post(
            "/staff/sign-in",
            data={
                "email": CURATOR,
                "password": PASSWORD,
                "csrf_token": token(client, "/staff/sign-in"),
            },
        )
        response = client.post(
            "/staff/second-factor",
            data={"code": recovery, "csrf_token": token(client, "/staff/second-factor")},
        )
        assert response.status_code == expected
        if expected == 302:
            sign_out = token(client, "/staff/", "/staff/sign-out")
            client.post("/staff/sign-out", data={"csrf_token": sign_out})


def test_brute_force_is_locked_out(app, clock):
    """After five wrong passwords, is even the right one refused until the lock ends?"""
    client = app.test_client()
    secret = app.config["SECRETS"][CURATOR]
    for _ in range(5):
        assert sign_in(app, client, CURATOR, secret, password="wrong password!").status_code == 401
    assert sign_in(app, client, CURATOR, secret).status_code == 401
    clock.advance(minutes=16)
    assert sign_in(app, client, CURATOR, secret).status_code == 302


def test_wrong_second_factor_codes_lock_out_too(app):
    client = app.test_client()
    client.post(
        "/staff/sign-in",
        data={
            "email": CURATOR,
            "password": PASSWORD,
            "csrf_token": token(client, "/staff/sign-in"),
        },
    )
    for guess in ("000000", "111111", "222222", "333333", "444444"):
        response = client.post(
            "/staff/second-factor",
            data={"code": guess, "csrf_token": token(client, "/staff/second-factor")},
        )
        assert response.status_code == 401
    assert (
        sign_in(app, app.test_client(), CURATOR, app.config["SECRETS"][CURATOR]).status_code == 401
    )


def test_slow_down_after_failures(app, monkeypatch):
    """Does each failed attempt in a row wait longer?"""
    import web.staff.auth as auth

    waits = []
    monkeypatch.setattr(auth.time, "sleep", waits.append)
    app.config["LANTERN_STAFF_SLOWDOWN"] = 0.5
    client = app.test_client()
    for _ in range(3):
        sign_in(app, client, CURATOR, "", password="wrong password!")
    assert waits == [0.5, 1.0, 1.5]


def test_session_fixation_is_refused(app):
    """Does signing in start a new session, so a cookie from before grants nothing?"""
    client = app.test_client()
    client.post(
        "/staff/sign-in",
        data={
            "email": CURATOR,
            "password": PASSWORD,
            "csrf_token": token(client, "/staff/sign-in"),
        },
    )
    before = client.get_cookie("s").value
    client.post(
        "/staff/second-factor",
        data={
            "code": code(app, app.config["SECRETS"][CURATOR]),
            "csrf_token": token(client, "/staff/second-factor"),
        },
    )
    after = client.get_cookie("s").value
    assert before != after
    assert client.get("/staff/").status_code == 200
    planted = app.test_client()
    planted.set_cookie("s", before)
    assert planted.get("/staff/").status_code == 302


def test_signing_in_again_ends_the_older_session(app):
    first = signed_in(app, CURATOR)
    second = signed_in(app, CURATOR)
    assert second.get("/staff/").status_code == 200
    assert first.get("/staff/").status_code == 302


def test_signing_out_ends_the_session_even_for_a_copied_cookie(app):
    client = signed_in(app, CURATOR)
    copied = client.get_cookie("s").value
    client.post("/staff/sign-out", data={"csrf_token": token(client, "/staff/", "/staff/sign-out")})
    thief = app.test_client()
    thief.set_cookie("s", copied)
    assert thief.get("/staff/").status_code == 302


def test_thirty_minutes_idle_ends_the_session(app, clock):
    client = signed_in(app, CURATOR)
    clock.advance(minutes=29)
    assert client.get("/staff/").status_code == 200
    clock.advance(minutes=29)  # active 29 minutes ago: still in
    assert client.get("/staff/").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/staff/").status_code == 302


def test_csrf_is_refused(app):
    """Is a staff form without a valid token, or from another site, refused?"""
    client = signed_in(app, CURATOR)
    data = {"document": "id: childline", "why": "x", "action": "save"}
    assert client.post("/staff/edit/service:childline", data=data).status_code == 400
    forged = {**data, "csrf_token": token(app.test_client(), "/staff/sign-in")}
    assert client.post("/staff/edit/service:childline", data=forged).status_code == 400
    cross = {**data, "csrf_token": token(client, "/staff/edit/service:childline")}
    response = client.post(
        "/staff/edit/service:childline", data=cross, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 400


def test_staff_pages_are_never_cached_and_carry_a_strict_policy(app):
    client = signed_in(app, CURATOR)
    for path in ("/staff/sign-in", "/staff/", "/staff/edit/service:childline", "/staff/changes"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
        csp = response.headers["Content-Security-Policy"]
        assert csp.startswith("default-src 'none'; script-src 'nonce-"), path
        assert "unsafe" not in csp and "connect-src" not in csp, path
        assert "frame-ancestors 'none'" in csp and "form-action 'self'" in csp, path
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow", path
        assert '<meta name="robots" content="noindex, nofollow">' in response.get_data(as_text=True)


def test_no_public_page_links_to_the_staff_area(client):
    for path in ("/", "/families", "/services", "/services/childline"):
        assert "/staff" not in client.get(path).get_data(as_text=True), path


def test_reviewer_cannot_manage_accounts(app):
    """Is the accounts page (and its form) for administrators only, and is there no web sign-up?"""
    reviewer = signed_in(app, REVIEWER)
    assert reviewer.get("/staff/accounts").status_code == 403
    assert reviewer.post("/staff/accounts/1", data={"action": "disable"}).status_code == 403
    admin = signed_in(app, ADMIN)
    assert admin.get("/staff/accounts").status_code == 200
    for path in ("/staff/accounts", "/staff/sign-up", "/staff/register"):
        assert admin.post(path, data={"email": "new@x.test"}).status_code in (404, 405), path


def test_curator_cannot_approve_and_reviewer_cannot_approve_own(app):
    """Does a number change wait for a second person with the reviewer role?"""
    curator = signed_in(app, CURATOR)
    text = document(curator, "service:childline").replace("0800 1111", "0808 800 1234")
    response = edit(curator, "service:childline", text)
    assert response.status_code == 302
    change_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = curator.get(f"/staff/changes/{change_id}").get_data(as_text=True)
    assert 'id="status">pending' in page
    approve = {"csrf_token": token(curator, "/staff/edit/service:childline")}
    assert curator.post(f"/staff/changes/{change_id}/approve", data=approve).status_code == 403

    reviewer = signed_in(app, REVIEWER)
    text = document(reviewer, "service:samaritans").replace("116 123", "0808 800 1235")
    own = int(edit(reviewer, "service:samaritans", text).headers["Location"].rsplit("/", 1)[1])
    review_token = token(
        reviewer, f"/staff/changes/{change_id}", f"/staff/changes/{change_id}/approve"
    )
    refused = reviewer.post(f"/staff/changes/{own}/approve", data={"csrf_token": review_token})
    assert refused.status_code == 409
    with app.app_context():
        assert app.extensions["lantern_staff"].change(own).status == "pending"


def test_approved_change_reaches_public_page_search_and_sms(app):
    """Does a reviewer's approval publish the new number to the listing, search and triage,
    with no redeploy, and leave the public page unchanged before it?"""
    public = app.test_client()
    assert "tel:+448001111" in public.get("/services/childline").get_data(as_text=True)
    curator = signed_in(app, CURATOR)
    text = document(curator, "service:childline").replace("0800 1111", "0808 800 1234")
    change_id = int(edit(curator, "service:childline", text).headers["Location"].rsplit("/", 1)[1])
    assert "tel:+448001111" in public.get("/services/childline").get_data(as_text=True)
    reviewer = signed_in(app, REVIEWER)
    response = reviewer.post(
        f"/staff/changes/{change_id}/approve",
        data={
            "csrf_token": token(
                reviewer, f"/staff/changes/{change_id}", f"/staff/changes/{change_id}/approve"
            )
        },
    )
    assert response.status_code == 302
    page = public.get("/services/childline").get_data(as_text=True)
    assert "tel:+448088001234" in page and "tel:+448001111" not in page
    assert "tel:+448088001234" in public.get("/services?q=childline").get_data(as_text=True)
    with app.app_context():
        assert app.extensions["lantern"].directory.get("childline").phone.display == "0808 800 1234"


def test_a_second_instance_sees_the_published_change(app, tmp_path, clock):
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": app.config["DATABASE_URL"],
            "LANTERN_INDEX_DIR": str(tmp_path / "index2"),
            "LANTERN_REFRESH_SECONDS": 0,
            "LANTERN_NOW": clock,
        }
    )
    curator = signed_in(app, CURATOR)
    text = document(curator, "service:childline").replace("Childline", "Childline (NSPCC)", 1)
    response = edit(curator, "service:childline", text, why="name as the NSPCC gives it")
    assert response.status_code == 302  # a name is not a number: published at once
    html = other.test_client().get("/services/childline").get_data(as_text=True)
    assert "Childline (NSPCC)" in html


def test_editor_uses_the_loaders_validation(app):
    """Does the editor refuse what the loader refuses, naming the field, and publish nothing?"""
    curator = signed_in(app, CURATOR)
    original = document(curator, "service:childline")
    for bad, field in (
        (original.replace("0800 1111", "0800 11"), "contacts[0].number"),
        (original.replace("audiences:", "audiences: [martians]\nx_audiences:"), "audiences"),
        ("id: childline\n", "contacts"),
        ("- just a list", "(top level)"),
        (original.replace("id: childline", "id: other-id"), "id"),
    ):
        response = edit(curator, "service:childline", bad)
        assert response.status_code == 200
        assert f"{field}:" in response.get_data(as_text=True), field
    with app.app_context():
        assert app.extensions["lantern_staff"].changes() == []


def test_preview_shows_the_public_card_without_saving(app):
    curator = signed_in(app, CURATOR)
    text = document(curator, "service:childline").replace("0800 1111", "0808 800 1234")
    html = edit(curator, "service:childline", text, action="preview").get_data(as_text=True)
    assert 'class="card"' in html and "tel:+448088001234" in html
    assert html.count('class="card"') == 7  # one in every language the site speaks
    assert '<div lang="ur" dir="rtl">' in html and "Childline" in html
    with app.app_context():
        assert app.extensions["lantern_staff"].changes() == []


def test_a_confirmed_check_is_shown_to_readers(app):
    curator = signed_in(app, CURATOR)
    response = curator.post(
        "/staff/edit/area:rotherham/check",
        data={
            "contact": "0",
            "method": "phone",
            "result": "confirmed",
            "note": "answered by the MASH team",
            "csrf_token": token(
                curator, "/staff/edit/area:rotherham", "/staff/edit/area:rotherham/check"
            ),
        },
    )
    assert response.status_code == 302
    html = app.test_client().get("/services/rotherham-mash").get_data(as_text=True)
    day = app.config["LANTERN_NOW"]().date()
    assert f"Checked by phone on {day.day} {day:%B %Y}." in html
    assert "Details as given by a source dated" not in html


def test_a_failed_check_withdraws_the_line_and_the_national_route_takes_its_place(app):
    curator = signed_in(app, CURATOR)
    curator.post(
        "/staff/edit/area:rotherham/check",
        data={
            "contact": "0",
            "method": "phone",
            "result": "not-in-use",
            "csrf_token": token(
                curator, "/staff/edit/area:rotherham", "/staff/edit/area:rotherham/check"
            ),
        },
    )
    html = app.test_client().get("/services/rotherham-mash").get_data(as_text=True)
    assert "tel:+441709336080" not in html
    directory = app.extensions["lantern"].directory
    moment = app.config["LANTERN_NOW"]()
    assert directory.front_door_now("rotherham", moment).display == "0808 800 5000"


def test_every_change_is_audited_and_the_csv_is_safe(app):
    curator = signed_in(app, CURATOR)
    text = document(curator, "service:childline").replace("Childline", "Childline (NSPCC)", 1)
    edit(curator, "service:childline", text, why='=HYPERLINK("http://evil")')
    reviewer = signed_in(app, REVIEWER)
    page = reviewer.get("/staff/audit").get_data(as_text=True)
    assert "changed" in page and CURATOR in page
    response = reviewer.get("/staff/audit.csv")
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    change = next(r for r in rows if r[3] == "changed")
    assert change[2] == CURATOR and change[4] == "service:childline"
    assert "Childline (NSPCC)" in change[6] and "Childline (NSPCC)" not in change[5]
    assert change[7].startswith("'=")
    assert signed_in(app, CURATOR).get("/staff/audit.csv").status_code == 403


def test_an_approved_front_door_number_reaches_an_sms_reply(app):
    """Does the triage reply over SMS give the newly approved front-door number at once?"""
    from xml.etree import ElementTree

    from tests.chatbot.channel_app import signed_post

    app.config["TWILIO_AUTH_TOKEN"] = "test-twilio-token"
    texts = iter(range(100))

    def text(body):
        form = {"From": "+447700900123", "To": "+441234567890", "Body": body,
                "MessageSid": f"SM{next(texts):032d}"}  # fmt: skip
        response = signed_post(app.test_client(), "/sms", form)
        return ElementTree.fromstring(response.data).find("Message").text

    curator = signed_in(app, CURATOR)
    # A test-only number: no real listing is changed.
    new = document(curator, "area:rotherham").replace("01709 336080", "01709 336081", 1)
    change_id = int(edit(curator, "area:rotherham", new).headers["Location"].rsplit("/", 1)[1])
    reviewer = signed_in(app, REVIEWER)
    reviewer.post(
        f"/staff/changes/{change_id}/approve",
        data={
            "csrf_token": token(
                reviewer, f"/staff/changes/{change_id}", f"/staff/changes/{change_id}/approve"
            )
        },
    )
    text("hello")
    text("2")
    reply = text("Maltby")
    assert "01709 336081" in reply and "01709 336080" not in reply


def test_staff_add_is_the_way_accounts_are_made(app):
    """Does `flask staff add` make an account that can sign in with the secret it prints?"""
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["staff", "add", "new@council.test", "--name", "New", "--role", "reviewer"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    secret = result.output.split("Authenticator app secret: ")[1].split()[0]
    assert sign_in(app, app.test_client(), "new@council.test", secret).status_code == 302
    again = runner.invoke(
        args=["staff", "add", "new@council.test", "--name", "N", "--role", "curator"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert again.exit_code != 0
    short = runner.invoke(
        args=["staff", "add", "x@council.test", "--name", "X", "--role", "curator"],
        input="short\nshort\n",
    )
    assert short.exit_code != 0 and "12 characters" in short.output
    with app.app_context():
        stored = app.extensions["lantern_staff"].user_by_email("new@council.test")
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash and all(len(h) == 64 for h in stored.recovery_codes)


def test_overdue_lists_what_is_due_for_a_scheduled_job(app):
    result = app.test_cli_runner().invoke(args=["directory", "overdue"])
    assert result.exit_code == 1  # something is due: cron can mail the output
    lines = result.output.splitlines()
    assert any(
        line.startswith("rotherham-mash: last confirmed 2021-11-15, every 30 days")
        for line in lines
    )


def test_export_and_import_round_trip(app, tmp_path):
    """Does exporting the published directory and importing it back change nothing, and does an
    edited file come back as a change (a number change waiting for a reviewer)?"""
    runner = app.test_cli_runner()
    folder = tmp_path / "export"
    assert runner.invoke(args=["directory", "export-yaml", str(folder)]).exit_code == 0
    same = runner.invoke(args=["directory", "import-yaml", str(folder)])
    assert same.exit_code == 0 and ", 0 changed" in same.output
    path = folder / "services" / "childline.yaml"
    path.write_text(path.read_text().replace("0800 1111", "0808 800 1234"))
    changed = runner.invoke(args=["directory", "import-yaml", str(folder)])
    assert "1 changed: 0 published, 1 waiting for a reviewer" in changed.output
    path.write_text(path.read_text().replace("audiences:", "audiences: [nobody]\nold:"))
    bad = runner.invoke(args=["directory", "import-yaml", str(folder)])
    assert bad.exit_code != 0 and "nothing imported" in bad.output
    with app.app_context():
        assert len(app.extensions["lantern_staff"].changes()) == 1


def test_one_address_trying_many_accounts_is_slowed(app):
    """Beyond each account's lockout, is one client refused after 30 sign-in requests a minute?"""
    client = app.test_client()
    statuses = [
        client.post("/staff/sign-in", data={"email": f"user{n}@x.test"}).status_code
        for n in range(31)
    ]
    assert 429 not in statuses[:30] and statuses[30] == 429


def test_reset_second_factor_ends_sessions_and_old_codes(app):
    client = signed_in(app, CURATOR)
    result = app.test_cli_runner().invoke(args=["staff", "reset-second-factor", CURATOR])
    assert result.exit_code == 0, result.output
    new_secret = result.output.split("Authenticator app secret: ")[1].split()[0]
    assert client.get("/staff/").status_code == 302
    old = app.config["SECRETS"][CURATOR]
    assert sign_in(app, app.test_client(), CURATOR, old).status_code == 401
    assert sign_in(app, app.test_client(), CURATOR, new_secret).status_code == 302


def test_the_editor_shows_translations_beside_the_english(app):
    curator = signed_in(app, CURATOR)
    html = curator.get("/staff/edit/area:rotherham").get_data(as_text=True)
    assert '<pre lang="ur" dir="rtl">' in html and '<pre lang="pl" dir="ltr">' in html
    assert "Dzwońcie o każdej porze" in html
