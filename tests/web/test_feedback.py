"""Was this page helpful? Stored with the page and the date only."""

import re

import pytest


def _token(client, path="/families"):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_feedback_is_stored_without_identifying_data(client, app):
    """Is an answer kept with only its page, answer, comment and date?"""
    token = _token(client)
    response = client.post(
        "/feedback",
        data={
            "csrf_token": token,
            "kind": "page",
            "target": "families",
            "helpful": "yes",
            "comment": "<b>clear</b> and kind\x00",
        },
        headers={"User-Agent": "Secret/1.0", "X-Forwarded-For": "203.0.113.9"},
    )
    assert response.status_code == 303
    # A comment may be a disclosure: the next page opens with help (tests below).
    assert response.headers["Location"].startswith("/families?feedback=sent&n=")
    [item] = app.extensions["lantern_store"].list_feedback()
    assert (item.kind, item.target, item.helpful, item.comment) == (
        "page",
        "families",
        True,
        "clear and kind",
    )
    assert "Set-Cookie" not in response.headers


def test_comment_capped_at_500(client, app):
    client.post(
        "/feedback", data={"csrf_token": _token(client), "target": "families", "comment": "a" * 900}
    )
    [item] = app.extensions["lantern_store"].list_feedback()
    assert len(item.comment) == 500


@pytest.mark.parametrize(
    "data, headers",
    [
        ({"target": "families", "helpful": "yes"}, {}),  # no token
        ({"target": "families", "helpful": "yes", "csrf_token": "forged"}, {}),
        (
            {"target": "families", "helpful": "yes", "csrf_token": None},
            {"Sec-Fetch-Site": "cross-site"},
        ),
    ],
)
def test_csrf_rejected(client, app, data, headers):
    """Are forged or cross-site posts refused?"""
    if data.get("csrf_token", "") is None:
        data["csrf_token"] = _token(client)
    assert client.post("/feedback", data=data, headers=headers).status_code == 400
    assert app.extensions["lantern_store"].list_feedback() == []


def test_unknown_target_refused(client):
    """Can feedback name a page that does not exist (and so redirect anywhere)?"""
    data = {"csrf_token": _token(client), "target": "https://evil.example", "helpful": "yes"}
    assert client.post("/feedback", data=data).status_code == 400


def test_thank_you_shown(client):
    html = client.get("/families?feedback=thanks").get_data(as_text=True)
    assert 'role="status"' in html


def test_export_csv(app, tmp_path):
    """Does the curator command write the feedback as CSV?"""
    client = app.test_client()
    client.post(
        "/feedback",
        data={
            "csrf_token": _token(client),
            "target": "families",
            "helpful": "no",
            "comment": 'too long, "sorry"',
        },
    )
    runner = app.test_cli_runner()
    result = runner.invoke(args=["feedback", "export"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert lines[0] == "date,kind,target,helpful,comment"
    assert lines[1].endswith(',page,families,no,"too long, ""sorry"""')


def _comment(client, comment, path="/families", target="families"):
    data = {"csrf_token": _token(client, path), "target": target, "comment": comment}
    response = client.post("/feedback", data=data)
    assert response.status_code == 303
    return response.headers["Location"]


def _help_box(client, location):
    html = client.get(location).get_data(as_text=True)
    start = html.index('<section class="help-now')
    return html[start : html.index("</section>", start)]


def _tel(app, service_id):
    return app.extensions["lantern"].directory.get(service_id).phone.tel_uri


@pytest.mark.parametrize(
    ("comment", "first", "then"),
    [
        # Danger: 999 first, in the heading and as the first line to tap.
        ("he is outside my house now and i am scared", "emergency-999", "childline"),
        ("I want to kill myself", "emergency-999", "samaritans"),
        # The issue's own example: no reader signal, yet help comes, Childline before the NSPCC.
        ("i need help my stepdad hurts me", "childline", "nspcc-helpline"),
        ("my daughter is being groomed by older men", "rotherham-mash", "nspcc-helpline"),
        ("i was abused as a child and this page helped", "napac", "rape-crisis-247"),
    ],
)
def test_a_comment_that_discloses_gets_help_on_the_next_page(client, app, comment, first, then):
    """Does the next page open with the right help, in the right order, for a disclosure?"""
    location = _comment(client, comment)
    assert "feedback=sent" in location and comment not in location
    assert "danger" not in location and "suicide" not in location  # a number, not a word
    box = _help_box(client, location)
    services = app.extensions["lantern"].directory.services
    first_tel = services[first].phone.tel_uri if first != "rotherham-mash" else None
    if first == "emergency-999":
        assert "in danger now" in box.split("</h2>")[0]
        assert 'role="alert"' in box
    if first_tel:
        lines = box.split("<li>")[2 if first != "emergency-999" else 1 :]
        assert first_tel in lines[0]
    assert _tel(app, then) in box
    assert "Nobody reads comments straight away" in box


def test_an_answer_without_a_comment_just_says_thanks(client):
    data = {"csrf_token": _token(client), "target": "families", "helpful": "yes"}
    location = client.post("/feedback", data=data).headers["Location"]
    assert location == "/families?feedback=thanks#feedback"
    assert 'class="help-now' not in client.get(location).get_data(as_text=True)


def test_form_says_nobody_reads_comments_straight_away(client):
    html = client.get("/families").get_data(as_text=True)
    form = html[html.index('<form class="feedback"') :]
    assert "Nobody reads comments straight away" in form


@pytest.mark.parametrize("lang", ["ur", "pl"])
def test_help_after_a_comment_in_other_languages(client, lang):
    """Is the help shown in the reader's language, after a comment in that language?"""
    path = f"/{lang}/families"
    data = {
        "csrf_token": _token(client, path),
        "target": "families",
        "comment": "mój ojczym mnie krzywdzi",
    }
    location = client.post(f"/{lang}/feedback", data=data).headers["Location"]
    assert location.startswith(f"/{lang}/families?feedback=sent")
    box = _help_box(client, location)
    assert "Nobody reads comments" not in box  # translated
    assert "tel:999" in box


@pytest.mark.parametrize("code", ["99", "x", "-1", ""])
def test_a_made_up_help_address_still_shows_help(client, code):
    """Does a hand-typed or broken address after a comment still give help, not an error?"""
    response = client.get(f"/families?feedback=sent&n={code}")
    assert response.status_code == 200
    assert 'class="help-now' in response.get_data(as_text=True)


def test_listing_problem_box_is_read_for_disclosures_too(client, app):
    """Does a disclosure typed into "Report a problem with this listing" also bring help?"""
    html = client.get("/services/childline").get_data(as_text=True)
    assert "Nobody reads comments straight away" in html[html.index('id="problem"') - 400 :]
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    data = {
        "csrf_token": token,
        "kind": "listing",
        "target": "childline",
        "comment": "he is outside my house now and i am scared",
    }
    location = client.post("/feedback", data=data).headers["Location"]
    assert location.startswith("/services/childline?feedback=sent")
    assert 'class="help-now help-now-danger"' in client.get(location).get_data(as_text=True)
