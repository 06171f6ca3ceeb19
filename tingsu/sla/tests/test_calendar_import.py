from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tingsu.sla.calendars import CHINA_CALENDAR_NAME, calendar_load, library_years
from tingsu.sla.models import BusinessCalendar, CalendarDay, DayKind

pytestmark = pytest.mark.django_db


def china() -> BusinessCalendar:
    return BusinessCalendar.objects.get(name=CHINA_CALENDAR_NAME)


def test_the_china_calendar_is_seeded_with_national_day_2025():
    cal = china()
    days = dict(
        CalendarDay.objects.filter(
            calendar=cal, date__range=(date(2025, 9, 27), date(2025, 10, 12))
        ).values_list("date", "kind")
    )
    assert days[date(2025, 9, 28)] == DayKind.WORKING
    assert days[date(2025, 10, 11)] == DayKind.WORKING
    assert all(days[date(2025, 10, d)] == DayKind.HOLIDAY for d in range(1, 9))
    loaded = calendar_load(cal, around=date(2025, 9, 30))
    assert loaded.is_working_day(date(2025, 10, 11))
    assert not loaded.is_working_day(date(2025, 10, 3))


def test_the_pinned_library_covers_2004_to_2026():
    assert library_years() == (2004, 2026)


def test_it_reimports_a_known_year_from_the_library(capsys):
    cal = china()
    CalendarDay.objects.filter(calendar=cal, date__year=2026).delete()
    call_command("sla", "calendar-import", "--year", "2026")
    assert CalendarDay.objects.filter(
        calendar=cal, date=date(2026, 10, 10), kind=DayKind.WORKING
    ).exists()
    assert "2026" in capsys.readouterr().out


def test_it_refuses_a_year_the_library_does_not_know_without_a_file():
    with pytest.raises(CommandError, match="2027"):
        call_command("sla", "calendar-import", "--year", "2027")


def test_it_imports_a_future_year_from_a_csv_file(tmp_path):
    f = tmp_path / "2027.csv"
    f.write_text("date,kind,name\n2027-10-01,holiday,国庆节\n2027-09-26,working,调休\n")
    call_command("sla", "calendar-import", "--year", "2027", "--from-file", str(f))
    cal = calendar_load(china(), around=date(2027, 9, 20))
    assert not cal.is_working_day(date(2027, 10, 1))
    assert cal.is_working_day(date(2027, 9, 26))  # a Sunday made a working day


def test_it_rejects_a_malformed_csv_and_changes_nothing(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("2027-10-01,holiday\nnot-a-date,holiday\n")
    with translation.override("en"), pytest.raises(CommandError, match="Line 2"):
        call_command("sla", "calendar-import", "--year", "2027", "--from-file", str(f))
    assert not CalendarDay.objects.filter(date__year=2027).exists()
