"""The engine on the tiny fixture flow: one feature per test."""

from __future__ import annotations

import copy

import pytest

from chatbot import new_state, step
from chatbot.engine import MAX_NUMBERS

from .conftest import WEEKDAY, WEEKEND_NIGHT, Conversation


def test_first_message_without_meaning_asks_who(tiny):
    """Does a message it cannot read get a question with options and the 999 line?"""
    reply = tiny.send("hello there")
    assert reply.kind == "question" and reply.route == "who"
    assert [key for key, _ in reply.options] == ["1", "2", "3"]
    assert reply.footer[0].text == "Danger: 999."


def test_option_number_picks_the_route(tiny):
    """Does answering a question with its number set the fact it stands for?"""
    tiny.send("hello")
    reply = tiny.send("1")
    assert reply.route == "young"
    assert reply.contacts == ("childline",)
    assert "020 7946 0012" in reply.text()


def test_free_text_age_makes_a_young_person(tiny):
    """Does "im 14" route to the young person's answer without any question?"""
    reply = tiny.send("im 14")
    assert (reply.kind, reply.route) == ("answer", "young")


def test_a_parent_giving_the_child_age_is_not_a_young_person(tiny):
    """Is "my daughter ... 14 years old" a worried adult, not a 14-year-old writing?"""
    reply = tiny.send("my daughter is 14 years old")
    assert reply.route == "where"


def test_worried_adult_in_an_area_gets_the_front_door_open_now(tiny_flow, tiny_directory):
    """Does a place name lead to the daytime line in hours and the night line after hours?"""
    day = Conversation(tiny_flow, tiny_directory, now=WEEKDAY)
    day.send("my daughter")
    reply = day.send("we live in Testford")
    assert reply.route == "worried_local"
    assert reply.contacts[:2] == ("testshire-mash", "nspcc-helpline")
    assert "020 7946 0001" in reply.text()

    night = Conversation(tiny_flow, tiny_directory, now=WEEKEND_NIGHT)
    night.send("my daughter")
    assert "020 7946 0002" in night.send("TE1 4XY").text()


def test_place_in_the_first_message_skips_the_question(tiny):
    """Does "my daughter, Little Testing" answer at once?"""
    assert tiny.send("my daughter, Little Testing").route == "worried_local"


def test_unknown_place_gets_the_national_route(tiny):
    """Does a town with no area file get the NSPCC and the report-to-council link?"""
    tiny.send("my daughter")
    reply = tiny.send("Leeds")
    assert reply.route == "worried_national"
    assert reply.contacts == ("nspcc-helpline", "report-to-council")
    assert "example.org/report" in reply.text()
    assert "https://" not in reply.text()


def test_area_without_front_door_gets_the_national_route(tiny):
    """Does an area with no front door on file fall back to the national lines?"""
    tiny.send("my daughter")
    assert tiny.send("Farford").route == "worried_national"


def test_survivor_gets_local_counselling_in_the_area(tiny):
    """Does a survivor in an area get a local counselling service found by category?"""
    tiny.send("when i was a kid")
    reply = tiny.send("Testford")
    assert reply.contacts == ("napac", "testshire-counselling")
    assert "Testshire Counselling" in reply.text()


def test_survivor_elsewhere_gets_national_lines_only(tiny):
    """Does a survivor who skips the place get no local line?"""
    tiny.send("when i was a kid")
    assert tiny.send("0").contacts == ("napac",)


def test_danger_leads_with_999_and_the_conversation_carries_on(tiny):
    """Does a danger phrase put 999 first, and the question after it?"""
    reply = tiny.send("hes here with a knife")
    assert reply.danger == {"now"}
    assert reply.lines[0].service == "emergency-999"
    assert reply.lines[0].text == "Call 999 now."
    assert reply.kind == "question"
    assert tiny.send("1").route == "young"


def test_suicide_adds_samaritans_and_shout(tiny):
    """Does talk of suicide add Samaritans and Shout after 999?"""
    reply = tiny.send("i want to die")
    assert reply.contacts[:3] == ("emergency-999", "samaritans", "shout")
    assert "Text SHOUT to 0808 157 0011." in reply.text()


def test_danger_is_checked_in_every_language(tiny):
    """Does a Polish danger word lead with 999 too?"""
    assert tiny.send("RATUNKU").lines[0].service == "emergency-999"


def test_danger_is_checked_after_an_answer_and_on_global_words(tiny):
    """Is danger checked on every message, whatever else it is?"""
    tiny.send("1")
    assert tiny.send("he is here").lines[0].service == "emergency-999"
    assert tiny.send("stop, he is here").lines[0].service == "emergency-999"


def test_at_most_two_questions_then_an_answer(tiny):
    """After two questions it cannot use, does it answer rather than ask again?"""
    assert tiny.send("zzz").kind == "question"
    assert tiny.send("qqq").kind == "question"
    reply = tiny.send("xxx")
    assert (reply.kind, reply.route) == ("answer", "general")
    assert tiny.state.facts["asked"] == 2


def test_after_an_answer_a_message_with_nothing_new_gets_the_way_on(tiny):
    """Is "thanks" after an answer met with MENU/HELP and 999, not silence?"""
    tiny.send("1")
    reply = tiny.send("thanks")
    assert reply.kind == "after"
    assert "emergency-999" in reply.contacts


def test_stop_forgets_and_confirms(tiny):
    """Does STOP return a fresh state and say so?"""
    tiny.send("my daughter")
    reply = tiny.send("STOP")
    assert reply.forget and reply.kind == "stop"
    assert tiny.state.facts["who"] is None
    assert reply.text().startswith("Forgotten.")


def test_menu_starts_again(tiny):
    """Does MENU clear what was known and ask the first question?"""
    tiny.send("1")
    reply = tiny.send("menu")
    assert reply.route == "who"
    assert tiny.state.facts["who"] is None


def test_help_gives_the_main_lines_without_changing_state(tiny):
    """Does HELP answer with 999 first and leave the conversation where it was?"""
    tiny.send("my daughter")
    before = copy.deepcopy(tiny.state)
    reply = tiny.send("Help!")
    assert reply.contacts[0] == "emergency-999"
    assert tiny.state == before


def test_language_is_detected_from_the_first_message(tiny):
    """Is a Polish first message answered in Polish?"""
    assert tiny.send("moja córka nie jest w domu").locale == "pl"


def test_language_name_switches_at_any_point(tiny):
    """Does sending a language's own name switch and repeat the last question?"""
    tiny.send("my daughter")
    reply = tiny.send("POLSKI")
    assert (reply.locale, reply.route) == ("pl", "where")
    assert tiny.state.facts["asked"] == 1
    assert tiny.send("English").locale == "en"


def test_prompts_go_through_translate(tiny_flow, tiny_directory):
    """Are prompts translated for the conversation's language, numbers filled after?"""
    table = {("Childline: %(number)s.", "pl"): "Telefon: %(number)s."}
    talk = Conversation(
        tiny_flow, tiny_directory, locale="pl", translate=lambda m, loc: table.get((m, loc), m)
    )
    talk.send("polski")
    assert "Telefon: 020 7946 0012." in talk.send("1").text()


def test_broken_translation_falls_back_to_english(tiny_flow, tiny_directory):
    """Does a translation with a wrong placeholder fall back rather than raise?"""
    talk = Conversation(
        tiny_flow, tiny_directory, translate=lambda m, loc: m.replace("%(number)s", "%(numer)s")
    )
    assert "Childline: 020 7946 0012." in talk.send("1").text()


def test_step_is_deterministic_and_does_not_touch_its_input(tiny_flow, tiny_directory):
    """Do the same inputs give the same outputs, leaving the old state alone?"""
    state = new_state()
    frozen = copy.deepcopy(state)
    kwargs = dict(directory=tiny_directory, flow=tiny_flow, translate=lambda m, loc: m)
    first = step(state, "my daughter", "en", WEEKDAY, **kwargs)
    second = step(state, "my daughter", "en", WEEKDAY, **kwargs)
    assert first == second
    assert state == frozen


@pytest.mark.parametrize(
    "stored",
    [
        None,
        {},
        "nonsense",
        {"v": 2, "node": "nowhere", "facts": {"age": "x", "asked": -3}},
        {"v": 2, "locale": "xx", "facts": {"area": "atlantis", "who": 5}},
        {"v": 99},
    ],
)
def test_odd_stored_state_starts_afresh(tiny_flow, tiny_directory, stored):
    """Does a corrupt or old state give a normal reply instead of an error?"""
    state, reply = step(
        stored,
        "1",
        "en",
        WEEKDAY,
        directory=tiny_directory,
        flow=tiny_flow,
        translate=lambda m, loc: m,
    )
    assert reply.kind in ("question", "answer")
    assert state.v == 2


def test_state_is_plain_json(tiny):
    """Can the state be stored as JSON (SQL and Redis stores do)?"""
    import json

    tiny.send("my daughter")
    tiny.send("Testford")
    stored = tiny.state.to_dict()
    assert json.loads(json.dumps(stored)) == stored
    assert (
        type(tiny.state).load(json.loads(json.dumps(stored)), tiny.flow, tiny.directory)
        == tiny.state
    )


def test_empty_message_repeats_without_counting_a_question(tiny):
    """Does an empty message (a page load) say the current question again?"""
    tiny.send("")
    assert tiny.state.facts["asked"] == 1
    reply = tiny.send("   ")
    assert reply.route == "who"
    assert tiny.state.facts["asked"] == 1


def test_never_more_than_four_numbers(tiny):
    """Is a reply cut to four numbers, the danger lines counted first?"""
    reply = tiny.send("i want to die, kms, help, he is here with a knife, im 14")
    assert reply.numbers <= MAX_NUMBERS
    assert reply.contacts[:3] == ("emergency-999", "samaritans", "shout")
