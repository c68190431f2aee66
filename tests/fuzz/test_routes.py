"""Fuzz every route and form with naughty strings: never a 500, never reflected unescaped."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from tests.fuzz.crawl import LANGS, all_forms, routes
from tests.fuzz.naughty import MARKER, NAUGHTY

TOKEN = "fuzz-twilio-token"
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
QUERY_NAMES = (
    "q",
    "lang",
    "page",
    "next",
    "feedback",
    "area",
    "audience",
    "category",
    "open",
    "free",
    "language",
    "contact",
    "format",
    "per_page",
    "sid",
    "message",
    "",
)
MARKER_ESCAPED = re.compile(re.escape(MARKER), re.I)


@pytest.fixture(scope="module")
def app(fuzz_app):
    return fuzz_app("fuzz", TWILIO_AUTH_TOKEN=TOKEN)


@pytest.fixture(scope="module")
def forms(app):
    return all_forms(app)


naughty = st.one_of(
    st.sampled_from(NAUGHTY),
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp", "So"])),
    st.builds(lambda a, b: a + b, st.sampled_from(NAUGHTY), st.text(max_size=40)),
)
# Half the values carry the marker, so any unescaped reflection shows up.
marked = st.builds(lambda text, mark: text + MARKER if mark else text, naughty, st.booleans())


def check(response, sent: str = "") -> None:
    """Assert what must hold for any input: no server error, no unescaped reflection."""
    assert response.status_code < 500, f"{response.status_code} for {sent[:200]!r}"
    body = response.get_data(as_text=True)
    assert not MARKER_ESCAPED.search(body), f"reflected unescaped: {sent[:200]!r}"
    for name, value in response.headers.items():
        assert "\n" not in value and "\r" not in value, f"header {name} split by input"
    if 300 <= response.status_code < 400:
        location = response.headers.get("Location", "")
        assert not location.lower().startswith("javascript:"), location


def _path_for(rule: str, value: str) -> str:
    return re.sub(r"<[^>]+>", lambda _: quote(value, safe="") or "x", rule)


@FUZZ
@given(data=st.data())
def test_get_every_route_with_naughty_paths_and_queries(app, data):
    """Does every GET route survive naughty path parts and query strings in every language?"""
    client = app.test_client()
    gets = [rule for rule, methods in routes(app) if "GET" in methods and rule != "/exit"]
    rule = data.draw(st.sampled_from(gets), label="rule")
    lang = data.draw(st.sampled_from(LANGS), label="lang")
    value = data.draw(marked, label="value")
    query = data.draw(
        st.dictionaries(st.sampled_from(QUERY_NAMES), marked, max_size=3), label="query"
    )
    path = _path_for(rule, value)
    url = (path if lang == "en" else f"/{lang}{path}") + "?" + urlencode(query)
    check(client.get(url), url)


def _submit(client, form, values):
    data = {**form.fields, **values}
    if form.method == "GET":
        return client.get(form.action, query_string=data)
    return client.post(form.action, data=data)


def test_every_form_was_found(forms):
    """Is there at least the feedback form for the fuzzers to work on?"""
    assert any(form.action.endswith("/feedback") for form in forms), [f.name for f in forms]


@FUZZ
@given(data=st.data())
def test_every_form_with_naughty_values(app, forms, data):
    """Does every field of every form accept anything without a 500 or a reflection?"""
    client = app.test_client()
    form = data.draw(st.sampled_from(forms), label="form")
    # Fetch the page afresh so the form carries a valid token and the view's own code runs.
    page = client.get(form.page).get_data(as_text=True)
    fresh = {m.group(1): m.group(2) for m in re.finditer(r'name="([^"]+)" value="([^"]*)"', page)}
    values = {name: fresh.get(name, default) for name, default in form.fields.items()}
    names = sorted(form.fields)
    fuzzed = data.draw(st.lists(st.sampled_from(names), min_size=1, unique=True), label="fields")
    for name in fuzzed:
        values[name] = data.draw(marked, label=name)
    response = _submit(client, form, values)
    check(response, repr(values))
    if response.status_code in (301, 302, 303):
        check(client.get(response.headers["Location"]), repr(values))


def _signed_sms(app, body: str, sender: str = "+447700900777", sid: str = "SM1"):
    params = {"From": sender, "To": "+447700900000", "Body": body, "MessageSid": sid}
    signature = RequestValidator(TOKEN).compute_signature("http://localhost/sms", params)
    return params, {"X-Twilio-Signature": signature}


@FUZZ
@given(
    body=marked,
    sender=st.one_of(st.sampled_from(NAUGHTY), st.just("+447700900777")),
    sid=st.text(min_size=1, max_size=40),
)
def test_sms_with_naughty_texts(app, body, sender, sid):
    """Does the SMS webhook answer any signed text with a TwiML reply, never a 500 or raw markup?"""
    params, headers = _signed_sms(app, body, sender, sid)
    response = app.test_client().post("/sms", data=params, headers=headers)
    check(response, body)
    assert response.status_code == 200, f"{response.status_code} for {body[:200]!r}"
    assert response.mimetype == "text/xml"
    messages = [m.text or "" for m in ElementTree.fromstring(response.data).iter("Message")]
    assert messages and all(m.strip() for m in messages), response.data


def _post_routes(app) -> list[str]:
    return [rule for rule, methods in routes(app) if "POST" in methods and "<" not in rule]


@settings(max_examples=20, deadline=None)
@given(raw=st.binary(max_size=2000), data=st.data())
def test_invalid_utf8_bodies_and_queries(app, raw, data):
    """Do bytes that are not UTF-8, in a body or a query string, ever cause a 500?"""
    client = app.test_client()
    bad = b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc" + raw
    route = data.draw(st.sampled_from(_post_routes(app)), label="route")
    body = b"Body=" + bad + b"&comment=" + bad + b"&message=" + bad + b"&csrf_token=" + bad
    response = client.post(route, data=body, content_type="application/x-www-form-urlencoded")
    check(response, repr(raw))
    escaped = quote(bad, safe="")
    check(client.get(f"/services?q={escaped}&lang={escaped}"), escaped)
    check(client.get(f"/{escaped}"), escaped)


def test_the_longest_text_twilio_sends_is_answered(app):
    """Is a 1,600-character text of emoji (19 KB once form-encoded) answered, not refused?"""
    # A number of its own: a first message, whose reply always gives 999.
    params, headers = _signed_sms(app, "😀" * 1600, sender="+447700900001", sid="SMlong")
    response = app.test_client().post("/sms", data=params, headers=headers)
    assert response.status_code == 200
    assert "999" in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["form", "raw"])
def test_oversized_bodies_get_413(app, kind):
    """Is every POST route capped, answering 413 rather than reading a huge body?"""
    client = app.test_client()
    for route in _post_routes(app):
        if kind == "form":
            response = client.post(route, data={"comment": "x" * 20_000, "Body": "y" * 20_000})
        else:
            response = client.post(route, data=b"z" * 40_000, content_type="text/plain")
        assert response.status_code == 413, route
        if response.mimetype == "text/html":
            assert "999" in response.get_data(as_text=True)


def test_ten_thousand_characters_in_every_text_field(app, forms):
    """Is a 10,000-character value handled (kept short, refused or capped), never a 500?"""
    client = app.test_client()
    for form in forms:
        values = {name: "\u202e" + "a" * 9_998 + MARKER for name in form.fields}
        check(_submit(client, form, values), form.name)
