"""CSRF on every form the site shows: a post without its token, or from another site, is refused."""

from __future__ import annotations

import pytest

from tests.fuzz.crawl import all_forms


@pytest.fixture(scope="module")
def app(fuzz_app):
    return fuzz_app("csrf")


@pytest.fixture(scope="module")
def post_forms(app):
    forms = [form for form in all_forms(app) if form.method == "POST"]
    assert forms, "the site shows at least the feedback form"
    return forms


def test_every_post_form_carries_a_token(post_forms):
    """Does every form that changes something include a CSRF token?"""
    for form in post_forms:
        assert form.fields.get("csrf_token"), form.name


def test_posts_without_a_valid_token_are_refused(app, post_forms):
    """Is each form's post refused without its token, with a forged one, or from another site?"""
    for form in post_forms:
        client = app.test_client()  # a new visitor: tokens are bound to the chat session
        without = {k: v for k, v in form.fields.items() if k != "csrf_token"}
        assert client.post(form.action, data=without).status_code == 400, form.name
        forged = {**form.fields, "csrf_token": form.fields["csrf_token"][:-4] + "AAAA"}
        assert client.post(form.action, data=forged).status_code == 400, form.name
        cross_site = client.post(
            form.action, data=form.fields, headers={"Sec-Fetch-Site": "cross-site"}
        )
        assert cross_site.status_code == 400, form.name
        # The same post from this site passes the token check, so the refusals above were about
        # the token (the staff sign-in then answers 401 to its empty credentials).
        accepted = client.post(form.action, data=form.fields).status_code
        assert accepted < 400 or (form.action == "/staff/sign-in" and accepted == 401), form.name
