"""Insight counters: what each event adds, and that counting never breaks a reply."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from twilio.request_validator import RequestValidator

from storage.insight import InsightStore, Tally
from web.insight import insight_store

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
# A Tuesday in October, 14:30 in London (13:30 UTC, summer time).
MOMENT = datetime(2026, 10, 6, 13, 30, tzinfo=UTC)


@pytest.fixture
def app(app):
    app.config["LANTERN_NOW"] = lambda: MOMENT
    return app


def counts(app) -> dict[tuple[str, str, str], int]:
    with app.app_context():
        rows = insight_store().counts(date(2026, 1, 1), date(2027, 1, 1))
    return {(r.metric, r.dimension, r.value): r.count for r in rows}


def chat(client, message: str):
    html = client.get("/chat").get_data(as_text=True)
    return client.post(
        "/chat", data={"message": message, "csrf_token": TOKEN.search(html).group(1)}
    )


def sms(client, sender: str, body: str, sid: str):
    form = {"From": sender, "Body": body, "MessageSid": sid}
    signature = RequestValidator("test-twilio-token").compute_signature(
        "http://localhost/sms", form
    )
    return client.post("/sms", data=form, headers={"X-Twilio-Signature": signature})


def test_a_chat_reaching_an_answer_counts_each_dimension_on_its_own_row(app, client):
    """Does an answer add one to channel, language, audience, route, area, hour and door?"""
    assert chat(client, "my daughter is being groomed, we live in Rotherham").status_code == 200
    found = counts(app)
    assert found[("answer", "all", "all")] == 1
    assert found[("answer", "channel", "chat")] == 1
    assert found[("answer", "language", "en")] == 1
    assert found[("answer", "audience", "worried")] == 1
    assert found[("answer", "route", "worried_local")] == 1
    assert found[("answer", "area", "rotherham")] == 1
    assert found[("answer", "hour", "14")] == 1
    assert found[("answer", "front_door", "01709 336080|in-hours")] == 1
    assert found[("answer", "door", "any-time")] == 1


def test_an_answer_said_again_is_not_counted_again(app, client):
    """Does repeating the answer (an empty message) leave the count at one?"""
    chat(client, "my daughter is being groomed, we live in Rotherham")
    chat(client, "")
    assert counts(app)[("answer", "all", "all")] == 1


def test_sms_answer_and_a_twilio_retry(app, client):
    """Does a text reaching an answer count once, even when Twilio retries it?"""
    sms(client, "+447700900123", "hello", "SM1")
    sms(client, "+447700900123", "2", "SM2")
    assert sms(client, "+447700900123", "Maltby", "SM3").status_code == 200
    assert sms(client, "+447700900123", "Maltby", "SM3").status_code == 200
    found = counts(app)
    assert found[("answer", "channel", "sms")] == 1
    assert found[("answer", "area", "rotherham")] == 1


def test_danger_is_counted_by_kind(app, client):
    chat(client, "he says he will kill me tonight")
    found = counts(app)
    assert found[("danger", "kind", "now")] == 1
    assert found[("danger", "channel", "chat")] == 1


def test_a_search_that_found_nothing_is_counted_by_need_never_by_words(app, client):
    """Is an empty search kept as its category, and are the typed words nowhere?"""
    client.get("/services?q=xyzzyplugh&category=counselling")
    client.get("/services?q=xyzzyplugh+qwertyzz")
    client.get("/services?q=counselling")
    found = counts(app)
    assert found[("search", "all", "all")] == 3
    assert found[("search", "result", "none")] == 2
    assert found[("search", "need", "counselling")] == 1
    assert found[("search", "need", "unknown")] == 1
    assert not [k for k in found if any("xyzzy" in part or "qwerty" in part for part in k)]


def test_a_page_read_is_counted_also_when_the_page_cache_serves_it(app, client):
    client.get("/young-people")
    client.get("/young-people")  # from the page cache: the view does not run
    client.get("/ur/young-people")
    found = counts(app)
    assert found[("page", "page", "young-people")] == 3
    assert found[("page", "language", "ur")] == 1


def test_page_feedback_is_counted_per_page_and_answer(app, client):
    html = client.get("/young-people?x=1").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html[html.find("/feedback") :])
    form = {"kind": "page", "target": "young-people", "csrf_token": token.group(1)}
    client.post("/feedback", data={**form, "helpful": "no"})
    client.post("/feedback", data={**form, "helpful": "yes"})
    found = counts(app)
    assert found[("feedback", "page", "young-people|no")] == 1
    assert found[("feedback", "page", "young-people|yes")] == 1


def test_a_failing_counter_never_breaks_a_reply(app, client, monkeypatch, caplog):
    """With the counters' store failing, do replies still come, and is nothing but the failure
    logged?"""

    def broken(self, *args, **kwargs):
        raise RuntimeError("secret message text")

    monkeypatch.setattr(InsightStore, "add_counts", broken)
    assert chat(client, "my daughter is being groomed in Maltby").status_code == 200
    assert client.get("/services?q=counselling").status_code == 200
    assert "Maltby" not in caplog.text and "secret message" not in caplog.text
    monkeypatch.setattr(Tally, "add", broken)
    assert chat(client, "my son is being groomed in Maltby").status_code == 200
    assert "secret message" not in caplog.text


def test_the_tally_keeps_what_it_could_not_write_and_writes_it_later(tmp_path):
    store = InsightStore(f"sqlite:///{tmp_path / 'i.sqlite3'}")
    tally = Tally(store, interval=0)
    real = store.add_counts
    store.add_counts = lambda counts: (_ for _ in ()).throw(OSError("down"))
    tally.add(date(2026, 10, 6), "page", [("page", "home")])
    assert tally.pending
    store.add_counts = real
    assert tally.flush()
    rows = store.counts(date(2026, 10, 1), date(2026, 11, 1))
    assert [(r.metric, r.dimension, r.value, r.count) for r in rows] == [
        ("page", "page", "home", 1)
    ]


def test_the_background_thread_writes_the_tally(tmp_path):
    store = InsightStore(f"sqlite:///{tmp_path / 'i.sqlite3'}")
    tally = Tally(store, interval=0.05)
    for _ in range(3):
        tally.add(date(2026, 10, 6), "search", [("result", "none")])
    tally.close()
    rows = store.counts(date(2026, 10, 1), date(2026, 11, 1))
    assert [(r.value, r.count) for r in rows] == [("none", 3)]


@pytest.mark.parametrize(
    "value", ["my dad hits me", "07700 900123\n", "x" * 81, "<script>", "a;b", "é"]
)
def test_free_text_can_never_become_a_value(tmp_path, value):
    """Are values outside the closed vocabularies' shape refused rather than stored?"""
    store = InsightStore(f"sqlite:///{tmp_path / 'i.sqlite3'}")
    tally = Tally(store, interval=0)
    tally.add(date(2026, 10, 6), "search", [("need", value)])
    values = [r.value for r in store.counts(date(2026, 10, 1), date(2026, 11, 1))]
    assert values == [] or value not in values


def test_a_call_put_through_counts_as_a_voice_answer(app, client):
    """Does a caller pressing 2 count as a voice answer with the front-door number given?"""
    form = {"Digits": "2"}
    signature = RequestValidator("test-twilio-token").compute_signature(
        "http://localhost/voice", form
    )
    assert (
        client.post("/voice", data=form, headers={"X-Twilio-Signature": signature}).status_code
        == 200
    )
    found = counts(app)
    assert found[("answer", "channel", "voice")] == 1
    assert found[("answer", "route", "voice-front-door")] == 1
    assert found[("answer", "front_door", "01709 336080|in-hours")] == 1
    assert found[("answer", "area", "rotherham")] == 1
