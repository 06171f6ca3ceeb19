"""Deadline arithmetic against hand-computed values (Asia/Shanghai, 09:00-18:00, Mon-Fri).

2025 National Day: holidays 2025-10-01..08; 调休 workdays Sunday 2025-09-28 and
Saturday 2025-10-11 (the State Council schedule, as chinese-calendar lists it).
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from tingsu.sla import clock
from tingsu.sla.clock import Calendar, Unit

SH = ZoneInfo("Asia/Shanghai")
HOLIDAYS = frozenset(date(2025, 10, d) for d in range(1, 9))
WORKDAYS = frozenset({date(2025, 9, 28), date(2025, 10, 11)})
CAL = Calendar(holidays=HOLIDAYS, workdays=WORKDAYS)
EVE = datetime(2025, 9, 30, 23, 59, tzinfo=SH)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def test_the_library_agrees_with_the_official_national_day_schedule():
    for d in HOLIDAYS:
        assert chinese_calendar.is_holiday(d)
    for d in WORKDAYS:
        assert chinese_calendar.is_workday(d)
    assert chinese_calendar.is_workday(date(2025, 10, 9))


def test_one_working_hour_from_national_day_eve_lands_after_the_holiday():
    assert clock.add_working_hours(CAL, EVE, 1) == at(2025, 10, 9, 10, 0)


def test_working_hours_spill_over_to_the_next_day():
    assert clock.add_working_hours(CAL, EVE, 8) == at(2025, 10, 9, 17, 0)
    assert clock.add_working_hours(CAL, EVE, 12) == at(2025, 10, 10, 12, 0)


def test_working_days_from_national_day_eve_count_the_tiaoxiu_saturday():
    assert clock.add_working_days(CAL, EVE, 1) == at(2025, 10, 9, 18, 0)
    # Thu 9, Fri 10, Sat 11 (调休 workday).
    assert clock.add_working_days(CAL, EVE, 3) == at(2025, 10, 11, 18, 0)
    # ... then Sunday 12 is off: Mon 13, Tue 14.
    assert clock.add_working_days(CAL, EVE, 5) == at(2025, 10, 14, 18, 0)


def test_calendar_days_ignore_holidays():
    assert clock.add_calendar_days(CAL, EVE, 15) == at(2025, 10, 15, 23, 59)
    assert clock.add(CAL, EVE, Unit.CALENDAR_DAYS, 56) == at(2025, 11, 25, 23, 59)


def test_a_tiaoxiu_saturday_is_a_working_day():
    friday = at(2025, 10, 10, 17, 0)
    # 1 hour on Friday, 3 on the 调休 Saturday.
    assert clock.add_working_hours(CAL, friday, 4) == at(2025, 10, 11, 12, 0)


def test_an_ordinary_saturday_is_not():
    friday = at(2025, 10, 17, 17, 0)
    assert clock.add_working_hours(CAL, friday, 4) == at(2025, 10, 20, 12, 0)


def test_the_tiaoxiu_sunday_before_national_day_counts():
    saturday_night = at(2025, 9, 27, 20, 0)
    assert clock.add_working_hours(CAL, saturday_night, 2) == at(2025, 9, 28, 11, 0)


def test_a_start_before_opening_counts_from_opening():
    assert clock.add_working_hours(CAL, at(2025, 10, 13, 7, 30), 1) == at(2025, 10, 13, 10, 0)


def test_a_target_ending_exactly_at_closing_is_due_at_closing():
    assert clock.add_working_hours(CAL, at(2025, 10, 13, 9, 0), 9) == at(2025, 10, 13, 18, 0)


def test_zero_is_the_start():
    assert clock.add_working_hours(CAL, EVE, 0) == EVE


def test_working_time_between_two_points_skips_nights_weekends_and_holidays():
    assert clock.working_seconds_between(CAL, EVE, at(2025, 10, 9, 10, 0)) == 3600
    # Fri 17:00 -> Mon 10:00 across the 调休 Saturday: 1 + 9 + 1 hours.
    assert clock.working_seconds_between(CAL, at(2025, 10, 10, 17), at(2025, 10, 13, 10)) == (
        11 * 3600
    )
    assert clock.working_seconds_between(CAL, at(2025, 10, 13, 10), at(2025, 10, 13, 9)) == 0


def test_elapsed_working_time_leaves_out_pauses():
    start = at(2025, 10, 13, 9, 0)
    now = at(2025, 10, 13, 15, 0)
    pause = (at(2025, 10, 13, 10, 0), at(2025, 10, 13, 12, 30))
    assert clock.elapsed(CAL, Unit.WORKING_HOURS, start, now, [pause]) == 3.5 * 3600
    assert clock.elapsed(CAL, Unit.CALENDAR_DAYS, start, now, [pause]) == 3.5 * 3600


def test_elapsed_calendar_time_counts_nights():
    start = at(2025, 10, 13, 9, 0)
    assert clock.elapsed(CAL, Unit.CALENDAR_DAYS, start, start + timedelta(days=2)) == 172800
    assert clock.elapsed(CAL, Unit.WORKING_DAYS, start, start + timedelta(days=2)) == 18 * 3600


def test_shifting_a_deadline_by_a_pause_counts_working_time():
    due = at(2025, 10, 10, 17, 0)
    assert clock.shift(CAL, Unit.WORKING_HOURS, due, 2 * 3600) == at(2025, 10, 11, 10, 0)
    assert clock.shift(CAL, Unit.CALENDAR_DAYS, due, 2 * 3600) == at(2025, 10, 10, 19, 0)


def test_a_calendar_with_no_working_day_is_refused():
    never = Calendar(weekdays=frozenset())
    with pytest.raises(ValueError):
        clock.add_working_days(never, EVE, 1)
