"""Weekly opening hours in Europe/London, with England and Wales bank holidays."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ALWAYS = "24/7"
MIDNIGHT = time(0, 0)
# How far ahead next_opening looks; a fortnight covers Christmas and Easter closures.
LOOKAHEAD_DAYS = 15

_RANGE = re.compile(
    r"^(?P<days>[a-z]{3}(?:\s*-\s*[a-z]{3})?(?:\s*,\s*[a-z]{3}(?:\s*-\s*[a-z]{3})?)*)\s+"
    r"(?P<opens>\d{1,2}:\d{2})\s*-\s*(?P<closes>\d{1,2}:\d{2})$"
)


class ScheduleError(ValueError):
    """A schedule that does not parse."""


@lru_cache(maxsize=1)
def _bank_holidays() -> holidays.HolidayBase:
    # England and Wales share one calendar; the package names it by its ENG subdivision.
    return holidays.country_holidays("GB", subdiv="ENG")


def is_bank_holiday(day: date) -> bool:
    """Return whether a date is a bank holiday in England and Wales."""
    return day in _bank_holidays()


def to_london(now: datetime) -> datetime:
    """Convert an aware datetime to Europe/London; refuse naive ones."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(LONDON)


@dataclass(frozen=True)
class Opening:
    """One weekly opening: the days it applies to and the local times."""

    days: tuple[int, ...]
    opens: time
    closes: time  # 00:00 means midnight at the end of the day

    @property
    def overnight(self) -> bool:
        """Return whether the opening runs past midnight into the next day."""
        return self.closes != MIDNIGHT and self.closes <= self.opens

    def describe(self) -> str:
        """Describe the opening in plain English."""
        return f"{_describe_days(self.days)} {_clock(self.opens)} to {_clock(self.closes)}"


@dataclass(frozen=True)
class Schedule:
    """When a contact is answered: 24/7, or weekly openings, maybe closed on bank holidays."""

    always_open: bool = False
    openings: tuple[Opening, ...] = ()
    closed_on_bank_holidays: bool = False
    # An out-of-hours line is open whenever its partner schedule is closed.
    outside: Schedule | None = None
    text: str = ""

    def open_at(self, now: datetime) -> bool:
        """Return whether the schedule is open at an aware datetime."""
        if self.outside is not None:
            return not self.outside.open_at(now)
        if self.always_open:
            return True
        local = to_london(now)
        today, clock = local.date(), local.time()
        weekday = today.weekday()
        for opening in self.openings:
            if weekday in opening.days and self._runs_on(today):
                ends_today = opening.closes == MIDNIGHT or opening.overnight
                if opening.opens <= clock and (ends_today or clock < opening.closes):
                    return True
            yesterday = today - timedelta(days=1)
            if (
                opening.overnight
                and yesterday.weekday() in opening.days
                and self._runs_on(yesterday)
                and clock < opening.closes
            ):
                return True
        return False

    def next_opening(self, now: datetime) -> datetime | None:
        """Return when the schedule next opens after now; None if open now or never opens."""
        if self.open_at(now):
            return None
        if self.outside is not None:
            return self.outside.next_closing(now)
        local = to_london(now)
        for offset in range(LOOKAHEAD_DAYS):
            day = local.date() + timedelta(days=offset)
            if not self._runs_on(day):
                continue
            starts = sorted(_at(day, o.opens) for o in self.openings if day.weekday() in o.days)
            for start in starts:
                if start > now:
                    return start
        return None

    def next_closing(self, now: datetime) -> datetime | None:
        """Return when an open schedule next closes; None if closed now or never closes."""
        if not self.open_at(now):
            return None
        if self.outside is not None:
            return self.outside.next_opening(now)
        if self.always_open:
            return None
        end = to_london(now)
        limit = end + timedelta(days=LOOKAHEAD_DAYS)
        # Back-to-back openings (Friday into Saturday) chain, so follow them until a gap.
        while self.open_at(end) and end < limit:
            ends = self._ends(end)
            if not ends:
                return None
            end = max(ends)
        return end if end < limit else None

    def _ends(self, local: datetime) -> list[datetime]:
        today, clock = local.date(), local.time()
        tomorrow, yesterday = today + timedelta(days=1), today - timedelta(days=1)
        ends = []
        for opening in self.openings:
            if today.weekday() in opening.days and self._runs_on(today) and opening.opens <= clock:
                if opening.closes == MIDNIGHT or opening.overnight:
                    ends.append(_at(tomorrow, opening.closes))
                elif clock < opening.closes:
                    ends.append(_at(today, opening.closes))
            if (
                opening.overnight
                and yesterday.weekday() in opening.days
                and self._runs_on(yesterday)
                and clock < opening.closes
            ):
                ends.append(_at(today, opening.closes))
        return ends

    def _runs_on(self, day: date) -> bool:
        return not (self.closed_on_bank_holidays and is_bank_holiday(day))

    def describe(self) -> str:
        """Describe the schedule in plain English."""
        if self.outside is not None:
            return "When the line above is closed"
        if self.always_open:
            return "24 hours a day, every day"
        text = ", ".join(o.describe() for o in self.openings)
        if self.closed_on_bank_holidays:
            text += " (closed on bank holidays)"
        return text


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=LONDON)


def _clock(value: time) -> str:
    return "midnight" if value == MIDNIGHT else value.strftime("%H:%M")


def _describe_days(days: tuple[int, ...]) -> str:
    if days == tuple(range(7)):
        return "Every day"
    if len(days) > 2 and days == tuple(range(days[0], days[-1] + 1)):
        return f"{DAY_NAMES[days[0]]} to {DAY_NAMES[days[-1]]}"
    return ", ".join(DAY_NAMES[d] for d in days)


def _parse_time(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return MIDNIGHT
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ScheduleError(f"{text!r} is not a time of day")
    return time(hours, minutes)


def _parse_days(text: str) -> tuple[int, ...]:
    days: set[int] = set()
    for part in text.split(","):
        ends = [p.strip() for p in part.split("-")]
        for end in ends:
            if end not in DAYS:
                raise ScheduleError(f"{end!r} is not a day (use mon, tue, ... sun)")
        first, last = DAYS.index(ends[0]), DAYS.index(ends[-1])
        if last < first:
            raise ScheduleError(f"{part.strip()!r} runs backwards")
        days.update(range(first, last + 1))
    return tuple(sorted(days))


def parse_openings(text: str) -> tuple[Opening, ...]:
    """Parse "Mon-Fri 08:30-17:30; Sat,Sun 09:00-18:00" into openings."""
    openings = []
    for chunk in text.lower().split(";"):
        chunk = chunk.strip()
        match = _RANGE.match(chunk)
        if not match:
            raise ScheduleError(f"{chunk!r} does not parse; write it like 'Mon-Fri 08:30-17:30'")
        opens, closes = _parse_time(match["opens"]), _parse_time(match["closes"])
        if opens == closes and closes != MIDNIGHT:
            raise ScheduleError(f"{chunk!r} opens and closes at the same time")
        openings.append(Opening(_parse_days(match["days"]), opens, closes))
    return tuple(openings)


def parse_schedule(data: object) -> Schedule:
    """Build a Schedule from YAML: "24/7", "Mon-Fri 09:00-17:00", or a mapping."""
    if isinstance(data, str):
        data = {"open": data}
    if not isinstance(data, Mapping):
        raise ScheduleError("a schedule is '24/7', 'Mon-Fri 09:00-17:00' or a mapping")
    unknown = set(data) - {"open", "bank_holidays"}
    if unknown:
        raise ScheduleError(f"unknown schedule keys: {', '.join(sorted(unknown))}")
    text = data.get("open")
    if not isinstance(text, str) or not text.strip():
        raise ScheduleError("'open' must say when it is open, e.g. 'Mon-Fri 09:00-17:00'")
    bank = data.get("bank_holidays", "open")
    if bank not in ("open", "closed"):
        raise ScheduleError("bank_holidays must be 'open' or 'closed'")
    if text.strip() == ALWAYS:
        if bank == "closed":
            raise ScheduleError("a 24/7 schedule cannot close on bank holidays")
        return Schedule(always_open=True, text=ALWAYS)
    return Schedule(
        openings=parse_openings(text),
        closed_on_bank_holidays=bank == "closed",
        text=text.strip(),
    )


def rrule_days(days: tuple[int, ...]) -> str:
    """Return RFC 5545 BYDAY for weekday numbers."""
    return ",".join(RRULE_DAYS[d] for d in days)
