"""The voice webhook: signed, a spoken menu, danger first, connecting from the directory."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from .channel_app import Clock, make_app, signed_post
from .conftest import WEEKDAY, WEEKEND_NIGHT


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app(tmp_path, directory, flow, clock):
    return make_app(tmp_path, directory, flow, clock, LANTERN_VOICE_AREA="rotherham")


def call(app, form=None, query=""):
    response = signed_post(
        app.test_client(), "/voice", {"CallSid": "CA1", **(form or {})}, query=query
    )
    assert response.status_code == 200
    return ElementTree.fromstring(response.data)


def test_unsigned_call_is_refused(app):
    """Is an unsigned voice request turned away?"""
    assert app.test_client().post("/voice", data={"CallSid": "CA1"}).status_code == 403


def test_menu_says_999_first(app):
    """Does the menu start with "hang up and dial 999"?"""
    root = call(app)
    said = [s.text for s in root.iter("Say")]
    assert said[0] == "If you are in danger, hang up and dial 999."
    assert "Press 1" in said[1]
    assert root.find("Gather").get("numDigits") == "1"


@pytest.mark.parametrize(
    ("digit", "moment", "number"),
    [
        ("1", WEEKDAY, "+448088005000"),
        ("3", WEEKDAY, "+448001111"),
        ("2", WEEKDAY, "+441709336080"),  # Rotherham: one number at any time
        ("2", WEEKEND_NIGHT, "+441709336080"),
    ],
)
def test_digits_connect_to_the_directory_number(app, clock, digit, moment, number):
    """Does each key dial the line the directory gives, the front door open now for 2?"""
    clock.moment = moment
    root = call(app, {"Digits": digit})
    assert root.find("Dial").text == number


def test_danger_heard_is_told_to_hang_up_and_dial_999(app):
    """Does a caller who says something dangerous hear the 999 advice first?"""
    root = call(app, {"SpeechResult": "he has got a knife"})
    assert next(root.iter("Say")).text.startswith("It sounds like you may be in danger")


def test_unknown_key_repeats_then_puts_the_caller_through(app, clock):
    """Is a caller not understood offered the menu again, then told 999 and put through?"""
    clock.moment = WEEKEND_NIGHT
    root = call(app, {"Digits": "8"}, query="?try=1")
    assert root.find("Gather") is not None
    assert next(s.text for s in root.iter("Say")) == "Sorry, I did not get that."
    root = call(app, {}, query="?try=2")
    said = [s.text for s in root.iter("Say")]
    assert said[0] == "If you are in danger, hang up and dial 999."
    assert root.find("Hangup") is None
    assert root.find("Dial").text == "+441709336080"  # the front door open now


def test_speech_danger_in_polish_leads_with_999(app):
    """Is danger heard in another language answered with 999 first, in English too?"""
    root = call(app, {"SpeechResult": "on ma nóż i mnie zabije"}, query="?lang=pl&try=1")
    said = [s.text for s in root.iter("Say")]
    assert said[0].startswith("It sounds like you may be in danger")
    assert "999" in said[0]


def test_a_language_is_chosen_by_key_and_the_menu_follows_in_it(app):
    """Does 9 offer the languages, each in its own words, and a key switch the menu?"""
    root = call(app, {"Digits": "9"})
    gather = root.find("Gather")
    offers = {s.get("language"): s.text for s in gather.iter("Say")}
    assert offers["pl-PL"] == "Po polsku naciśnij 4."
    assert "stage=languages" in gather.get("action")
    root = call(app, {"Digits": "4"}, query="?stage=languages&lang=en")
    gather = root.find("Gather")
    assert gather.get("language") == "pl-PL"
    assert "lang=pl" in gather.get("action")
    languages = [s.get("language") for s in gather.iter("Say")]
    assert languages[0] == "en-GB" and "pl-PL" in languages  # 999 in English, then Polish


def test_without_a_voice_area_the_front_door_is_national(tmp_path, directory, flow, clock):
    """With no area configured, does 2 go to the national route (NSPCC)?"""
    app = make_app(tmp_path, directory, flow, clock)
    assert call(app, {"Digits": "2"}).find("Dial").text == "+448088005000"
