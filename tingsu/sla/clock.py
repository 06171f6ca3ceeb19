"""Deadline arithmetic under a business calendar. Pure: no database, no clock.

Conventions (hand-checkable):
- Working hours: time counts only inside the day's window (e.g. 09:00-18:00) on working
  days. A start outside the window counts from the next window opening.
- Working days: the day of the start does not count (as in Chinese law, 期间开始的当日不算入);
  the deadline is the end of the window on the Nth following working day.
- Calendar days: the start plus N x 24 hours of wall-clock time in the calendar's zone.
A working day is a listed 调休 workday, or a weekday in the working set that is not a listed
holiday.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

# A calendar with no working day for this long is a configuration error, not a loop forever.
MAX_SCAN_DAYS = 3660


class Unit(StrEnum):
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"


@dataclass(frozen=True)
class Calendar:
    tz: ZoneInfo = ZoneInfo("Asia/Shanghai")
    start: time = time(9, 0)
    end: time = time(18, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday is 0
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, d: date) -> bool:
        if d in self.holidays:
            return False
        return d in self.workdays or d.weekday() in self.weekdays

    def window(self, d: date) -> tuple[datetime, datetime]:
        return (
            datetime.combine(d, self.start, tzinfo=self.tz),
            datetime.combine(d, self.end, tzinfo=self.tz),
        )

    def working_days_from(self, d: date) -> Iterable[date]:
        for i in range(MAX_SCAN_DAYS):
            day = d + timedelta(days=i)
            if self.is_working_day(day):
                yield day
        raise ValueError("The calendar has no working day in ten years.")


def add_working_seconds(cal: Calendar, start: datetime, seconds: float) -> datetime:
    remaining = timedelta(seconds=seconds)
    cursor = start.astimezone(cal.tz)
    if remaining <= timedelta(0):
        return cursor
    for day in cal.working_days_from(cursor.date()):
        opens, closes = cal.window(day)
        cursor = max(cursor, opens)
        if cursor >= closes:
            continue
        available = closes - cursor
        if remaining <= available:
            return cursor + remaining
        remaining -= available
    raise AssertionError("unreachable")


def add_working_hours(cal: Calendar, start: datetime, hours: float) -> datetime:
    return add_working_seconds(cal, start, hours * 3600)


def add_working_days(cal: Calendar, start: datetime, days: int) -> datetime:
    local = start.astimezone(cal.tz)
    if days <= 0:
        return local
    for n, day in enumerate(cal.working_days_from(local.date() + timedelta(days=1)), 1):
        if n == days:
            return cal.window(day)[1]
    raise AssertionError("unreachable")


def add_calendar_days(cal: Calendar, start: datetime, days: int) -> datetime:
    return start.astimezone(cal.tz) + timedelta(days=days)


def add(cal: Calendar, start: datetime, unit: Unit | str, value: int) -> datetime:
    unit = Unit(unit)
    if unit == Unit.WORKING_HOURS:
        return add_working_hours(cal, start, value)
    if unit == Unit.WORKING_DAYS:
        return add_working_days(cal, start, value)
    return add_calendar_days(cal, start, value)


def working_seconds_between(cal: Calendar, a: datetime, b: datetime) -> float:
    """Working time inside [a, b]; 0 if b is not after a."""
    a, b = a.astimezone(cal.tz), b.astimezone(cal.tz)
    if b <= a:
        return 0.0
    total = 0.0
    day = a.date()
    while day <= b.date():
        if cal.is_working_day(day):
            opens, closes = cal.window(day)
            lo, hi = max(a, opens), min(b, closes)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total


def is_working_unit(unit: Unit | str) -> bool:
    return Unit(unit) != Unit.CALENDAR_DAYS


def measure(cal: Calendar, unit: Unit | str, a: datetime, b: datetime) -> float:
    """Seconds between a and b as the unit counts them: working time, or wall time."""
    if is_working_unit(unit):
        return working_seconds_between(cal, a, b)
    return max(0.0, (b - a).total_seconds())


def shift(cal: Calendar, unit: Unit | str, start: datetime, seconds: float) -> datetime:
    """Move a point forward by seconds as the unit counts them (used for pauses)."""
    if is_working_unit(unit):
        return add_working_seconds(cal, start, seconds)
    return start.astimezone(cal.tz) + timedelta(seconds=seconds)


def elapsed(
    cal: Calendar,
    unit: Unit | str,
    start: datetime,
    now: datetime,
    pauses: Iterable[tuple[datetime, datetime]] = (),
) -> float:
    """Time counted by the unit from start to now, minus the (non-overlapping) pauses."""
    total = measure(cal, unit, start, now)
    for p_start, p_end in pauses:
        lo, hi = max(p_start, start), min(p_end, now)
        if hi > lo:
            total -= measure(cal, unit, lo, hi)
    return max(0.0, total)
