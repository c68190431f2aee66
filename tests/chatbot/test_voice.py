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


def test_unknown_key_repeats_then_says_goodbye(app):
    """Does a wrong key get the menu again, and silence end the call politely?"""
    root = call(app, {"Digits": "9"}, query="?try=1")
    assert root.find("Gather") is not None
    root = call(app, {}, query="?try=2")
    assert root.find("Hangup") is not None


def test_without_a_voice_area_the_front_door_is_national(tmp_path, directory, flow, clock):
    """With no area configured, does 2 go to the national route (NSPCC)?"""
    app = make_app(tmp_path, directory, flow, clock)
    assert call(app, {"Digits": "2"}).find("Dial").text == "+448088005000"
