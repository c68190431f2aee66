"""Opening hours in Europe/London: British Summer Time, bank holidays and the front door."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from directory import load_directory
from directory.hours import ScheduleError, is_bank_holiday, parse_schedule

WEEKDAYS = parse_schedule({"open": "Mon-Fri 08:30-17:30", "bank_holidays": "closed"})


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # October 2026: clocks go back on Sunday 25th. 07:45 UTC is 08:45 on the Friday (BST)...
        (utc(2026, 10, 23, 7, 45), True),
        # ...but 07:45 on the Monday after (GMT), before opening.
        (utc(2026, 10, 26, 7, 45), False),
        (utc(2026, 10, 26, 8, 45), True),
        (utc(2026, 10, 23, 16, 45), False),  # 17:45 BST on the Friday: closed
        (utc(2026, 10, 26, 17, 15), True),  # 17:15 GMT on the Monday: open
        # March 2026: clocks go forward on Sunday 29th.
        (utc(2026, 3, 27, 8, 15), False),  # 08:15 GMT on the Friday: closed
        (utc(2026, 3, 30, 7, 45), True),  # 08:45 BST on the Monday: open
        (utc(2026, 3, 30, 16, 45), False),  # 17:45 BST: closed
        # Weekends and bank holidays.
        (utc(2026, 11, 21, 12, 0), False),  # Saturday
        (utc(2026, 12, 25, 12, 0), False),  # Christmas Day, a Friday
        (utc(2026, 12, 28, 12, 0), False),  # Boxing Day (substitute), a Monday
        (utc(2026, 12, 29, 12, 0), True),
        (utc(2027, 5, 3, 10, 0), False),  # Early May bank holiday, 11:00 BST
        (utc(2027, 5, 4, 10, 0), True),
    ],
)
def test_weekday_schedule(moment, expected):
    """Is a Monday-to-Friday office line open at the right local times all year?"""
    assert WEEKDAYS.open_at(moment) is expected


def test_bank_holidays_are_england_and_wales():
    """Does the calendar know England's bank holidays, including substitute days?"""
    assert is_bank_holiday(datetime(2026, 12, 25).date())
    assert is_bank_holiday(datetime(2026, 12, 28).date())
    assert is_bank_holiday(datetime(2027, 5, 3).date())
    assert not is_bank_holiday(datetime(2026, 11, 23).date())
    # 30 November (St Andrew's Day) is a Scottish bank holiday, not an English one.
    assert not is_bank_holiday(datetime(2026, 11, 30).date())


def test_next_opening_crosses_clock_change():
    """After Friday's close before the clocks go back, is Monday 08:30 given in GMT?"""
    friday_evening = utc(2026, 10, 23, 17, 0)  # 18:00 BST
    assert WEEKDAYS.next_opening(friday_evening) == utc(2026, 10, 26, 8, 30)
    assert WEEKDAYS.next_opening(utc(2026, 3, 27, 18, 0)) == utc(2026, 3, 30, 7, 30)


def test_next_opening_skips_bank_holidays():
    """On Christmas Day, is the next opening after the substitute Boxing Day?"""
    assert WEEKDAYS.next_opening(utc(2026, 12, 25, 12, 0)) == utc(2026, 12, 29, 8, 30)


def test_open_line_has_no_next_opening_but_a_closing_time():
    """While open, is there no 'opens at', and does 'closes at' use local time?"""
    friday = utc(2026, 10, 23, 12, 0)
    assert WEEKDAYS.next_opening(friday) is None
    assert WEEKDAYS.next_closing(friday) == utc(2026, 10, 23, 16, 30)


def test_twenty_four_seven_never_closes():
    """Is a 24/7 line open at the awkward moments and never 'opens at'?"""
    always = parse_schedule("24/7")
    for moment in (utc(2026, 3, 29, 1, 30), utc(2026, 10, 25, 1, 30), utc(2026, 12, 25, 3, 0)):
        assert always.open_at(moment)
        assert always.next_opening(moment) is None
        assert always.next_closing(moment) is None


def test_overnight_opening_spans_midnight_and_the_clock_change():
    """Does a 22:00 to 02:00 line stay open past midnight, even the night the clocks change?"""
    nightly = parse_schedule("Mon-Sun 22:00-02:00")
    assert nightly.open_at(utc(2026, 3, 28, 23, 30))  # Saturday 23:30 GMT
    assert nightly.open_at(utc(2026, 3, 29, 0, 30))  # 00:30 GMT on the Sunday
    assert not nightly.open_at(utc(2026, 3, 29, 1, 30))  # now 02:30 BST: closed
    assert not nightly.open_at(utc(2026, 3, 29, 12, 0))
    assert nightly.next_closing(utc(2026, 10, 24, 22, 0)) == utc(2026, 10, 25, 2, 0)


def test_midnight_close_and_split_days():
    """Do '24:00' closes and several ranges in one schedule parse and apply?"""
    schedule = parse_schedule("Mon-Thu 10:00-20:30; Fri 10:00-16:30; Sat 09:00-24:00")
    assert schedule.open_at(utc(2026, 11, 26, 20, 0))  # Thursday 20:00 GMT
    assert not schedule.open_at(utc(2026, 11, 27, 17, 0))  # Friday 17:00
    assert schedule.open_at(utc(2026, 11, 28, 23, 59))  # Saturday just before midnight
    assert not schedule.open_at(utc(2026, 11, 29, 0, 1))
    assert "Monday to Thursday 10:00 to 20:30" in schedule.describe()


@pytest.mark.parametrize(
    "text",
    ["", "Mon-Fri", "Mon-Fri 9-5", "Fri-Mon 09:00-17:00", "Mon 09:00-09:00", "Mon 24:30-25:00"],
)
def test_bad_schedules_do_not_parse(text):
    """Is a schedule we cannot read refused rather than guessed?"""
    with pytest.raises(ScheduleError):
        parse_schedule(text)


def test_24_7_cannot_close_on_bank_holidays():
    """Is a contradictory 24/7 schedule refused?"""
    with pytest.raises(ScheduleError):
        parse_schedule({"open": "24/7", "bank_holidays": "closed"})


def test_naive_datetimes_are_refused():
    """Does the library refuse a time without a zone rather than guess one?"""
    with pytest.raises(ValueError, match="timezone-aware"):
        WEEKDAYS.open_at(datetime(2026, 11, 23, 12, 0))


@pytest.mark.parametrize(
    ("moment", "display"),
    [
        (utc(2026, 11, 23, 10, 0), "01709 823987"),  # Monday morning
        (utc(2026, 11, 23, 17, 30), "01709 336080"),  # Monday 17:30, the daytime line has closed
        (utc(2026, 11, 21, 10, 0), "01709 336080"),  # Saturday
        (utc(2026, 12, 25, 10, 0), "01709 336080"),  # Christmas Day
        (utc(2027, 5, 3, 10, 0), "01709 336080"),  # bank holiday Monday
        (utc(2026, 10, 23, 7, 45), "01709 823987"),  # 08:45 BST
        (utc(2026, 10, 26, 7, 45), "01709 336080"),  # 07:45 GMT
    ],
)
def test_split_front_door_follows_the_clock(content_tree, moment, display):
    """Where an area's data gives a daytime and an out-of-hours line, is the one answered now
    chosen?"""
    directory = load_directory(content_tree())
    assert directory.front_door_now("testshire", moment).display == display


def test_split_front_door_lines_cover_every_moment(content_tree):
    """Is exactly one of the two lines open at any moment?"""
    door = load_directory(content_tree()).areas["testshire"].front_door
    for hour in range(0, 24 * 7, 5):
        moment = utc(2026, 11, 20, 0, 0).replace(day=20 + hour // 24, hour=hour % 24)
        assert door.in_hours.open_now(moment) != door.out_of_hours.open_now(moment)


@pytest.mark.parametrize("moment", [utc(2026, 11, 23, 10, 0), utc(2026, 11, 21, 23, 0)])
def test_rotherham_front_door_is_the_any_time_line(shipped, moment):
    """Is Rotherham's number to call 01709 336080 at every hour (contacts.md §9), with the 2015
    daytime number shown but never chosen, and no badge on hours no source gives?"""
    door = shipped.areas["rotherham"].front_door
    assert shipped.front_door_now("rotherham", moment).display == "01709 336080"
    assert [c.display for c in door.contacts] == ["01709 336080", "01709 823987"]
    assert all(c.open_now(moment) is None for c in door.contacts)


def test_unsourced_hours_route_but_show_no_badge(content_tree):
    """Do hours marked unsourced still route the engine, yet tell readers nothing?"""
    from tests.directory.conftest import AREA

    area = AREA.replace(
        "schedule: {open: Mon-Fri 08:30-17:30, bank_holidays: closed}",
        "schedule: {open: Mon-Fri 08:30-17:30, bank_holidays: closed}\n    hours_sourced: false",
    )
    directory = load_directory(content_tree(areas={"testshire.yaml": area}))
    door = directory.areas["testshire"].front_door
    monday = utc(2026, 11, 23, 10, 0)
    assert directory.front_door_now("testshire", monday).display == "01709 823987"
    assert door.in_hours.open_now(monday) is None and door.out_of_hours.open_now(monday) is None


def test_area_without_front_door_falls_back_to_national_route(shipped):
    """Does Havering, which ships without numbers, get the NSPCC helpline instead?"""
    moment = utc(2026, 11, 23, 10, 0)
    assert shipped.areas["havering"].front_door is None
    assert shipped.front_door_now("havering", moment).display == "0808 800 5000"
    assert shipped.front_door_now(None, moment).display == "0808 800 5000"
    with pytest.raises(KeyError):
        shipped.front_door_now("atlantis", moment)


def test_service_open_now_is_none_when_hours_unknown(shipped):
    """Is 'open now' unknown (not false) for a line whose hours sources disagree?"""
    moment = utc(2026, 11, 23, 10, 0)
    assert shipped.get("nspcc-helpline").open_now(moment) is None
    assert shipped.get("childline").open_now(moment) is True
    mind = shipped.get("mind-infoline")
    assert mind.open_now(utc(2026, 11, 21, 10, 0)) is False
    assert mind.next_opening(utc(2026, 11, 21, 10, 0)) == utc(2026, 11, 23, 9, 0)
