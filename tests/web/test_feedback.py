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
    assert response.headers["Location"] == "/families?feedback=thanks#feedback"
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
