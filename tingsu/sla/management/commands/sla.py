"""`tingsu sla calendar-import --year 2027 [--from-file FILE.csv] [--calendar NAME]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tingsu.core.errors import TingsuError
from tingsu.sla.calendars import CHINA_CALENDAR_NAME, calendar_import
from tingsu.sla.models import BusinessCalendar


class Command(BaseCommand):
    help = "SLA tools: import a year's public holidays and 调休 workdays into a calendar."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("calendar-import", help="Import a year into a business calendar.")
        imp.add_argument("--year", type=int, required=True)
        imp.add_argument("--from-file", dest="from_file", default=None)
        imp.add_argument("--calendar", default=CHINA_CALENDAR_NAME)

    def handle(self, *args, action: str, **options):
        calendar, _created = BusinessCalendar.objects.get_or_create(name=options["calendar"])
        path = Path(options["from_file"]) if options["from_file"] else None
        if path is not None and not path.exists():
            raise CommandError(f"No such file: {path}")
        try:
            count = calendar_import(calendar=calendar, year=options["year"], path=path)
        except TingsuError as exc:
            detail = "; ".join(m for msgs in (exc.detail or {}).values() for m in msgs)
            raise CommandError(f"{exc.message} {detail}".strip()) from None
        self.stdout.write(f"{calendar}: {count} day(s) stored for {options['year']}.")
