"""Business calendars from the database, and importing a year's holidays and 调休 workdays."""

import csv
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from tingsu.core.config import cached, config_changed
from tingsu.core.errors import ValidationFailed

from .clock import Calendar
from .models import BusinessCalendar, CalendarDay, DayKind

CHINA_CALENDAR_NAME = "中国大陆"
# How far past a start date deadlines are looked for (long holidays, 60-day targets).
HORIZON_DAYS = 400


# Calendars kept per process (tingsu.core.config); past this many, all are dropped.
CACHED_CALENDARS = 64


def calendar_load(calendar: BusinessCalendar, *, around: date) -> Calendar:
    """The pure calendar for deadlines starting near `around`: cached per process until a
    calendar or its days change (one query when not cached)."""
    loaded: dict = cached("sla.calendars", dict)
    key = (calendar.pk, around)
    found = loaded.get(key)
    if found is None:
        found = _calendar_load(calendar, around=around)
        if len(loaded) >= CACHED_CALENDARS:
            loaded.clear()
        loaded[key] = found
    return found


def _calendar_load(calendar: BusinessCalendar, *, around: date) -> Calendar:
    days = CalendarDay.objects.filter(
        calendar=calendar,
        date__gte=around - timedelta(days=7),
        date__lte=around + timedelta(days=HORIZON_DAYS),
    ).values_list("date", "kind")
    holidays = frozenset(d for d, k in days if k == DayKind.HOLIDAY)
    workdays = frozenset(d for d, k in days if k == DayKind.WORKING)
    return Calendar(
        tz=ZoneInfo(calendar.timezone),
        start=calendar.work_start,
        end=calendar.work_end,
        weekdays=frozenset(int(d) for d in calendar.weekdays),
        holidays=holidays,
        workdays=workdays,
    )


def library_years() -> tuple[int, int]:
    """The years the pinned chinese-calendar release knows."""
    from chinese_calendar.constants import holidays

    return min(holidays).year, max(holidays).year


def library_days(year: int) -> list[tuple[date, str, str]]:
    """(date, kind, name) for the year from chinese-calendar: holidays on working weekdays
    and weekend days made working days. Weekends that are plain weekends are not listed."""
    from chinese_calendar.constants import holidays, workdays

    rows = []
    for d, name in holidays.items():
        if d.year == year:
            rows.append((d, DayKind.HOLIDAY.value, str(name)))
    for d, name in workdays.items():
        if d.year == year:
            rows.append((d, DayKind.WORKING.value, str(name)))
    return sorted(rows)


def file_days(path: Path) -> list[tuple[date, str, str]]:
    """Rows `date,kind[,name]` with kind holiday or working; a header line is allowed."""
    rows = []
    errors = []
    with open(path, newline="", encoding="utf-8-sig") as f:
        for n, row in enumerate(csv.reader(f), 1):
            if not row or not row[0].strip() or row[0].strip().lower() == "date":
                continue
            try:
                d = date.fromisoformat(row[0].strip())
                kind = DayKind(row[1].strip().lower())
            except (ValueError, IndexError):
                errors.append(_("Line %(n)d: expected date,kind (holiday or working).") % {"n": n})
                continue
            rows.append((d, kind.value, row[2].strip() if len(row) > 2 else ""))
    if errors:
        raise ValidationFailed(_("The calendar file has errors."), {"file": errors})
    return rows


@transaction.atomic
def calendar_import(*, calendar: BusinessCalendar, year: int, path: Path | None = None) -> int:
    """Replace the year's listed days, from a CSV file or else from chinese-calendar.

    Returns how many days were stored."""
    if path is not None:
        rows = [r for r in file_days(path) if r[0].year == year]
    else:
        first, last = library_years()
        if not first <= year <= last:
            raise ValidationFailed(
                _(
                    "chinese-calendar knows the years %(first)d to %(last)d; "
                    "import %(year)d from a CSV file (date,kind)."
                )
                % {"first": first, "last": last, "year": year},
                {"year": [_("Use --from-file.")]},
            )
        rows = library_days(year)
    CalendarDay.objects.filter(calendar=calendar, date__year=year).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(calendar=calendar, date=d, kind=k, name=n[:100]) for d, k, n in rows]
    )
    config_changed()  # bulk_create sends no signal: cached calendars must be reloaded
    return len(rows)
