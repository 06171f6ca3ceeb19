"""Readable case numbers: PREFIX + local date + 6-digit daily sequence (TS20261123000123)."""

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tingsu.cases.models import CaseNumberSequence

# One statement (SQLite >= 3.35 and PostgreSQL): create the day's row at 1, or bump it. The
# row stays locked until the surrounding transaction ends, so numbers are unique, and a
# rolled-back intake gives its number back: the sequence has no gaps. (It replaces an
# INSERT .. ON CONFLICT DO NOTHING, an UPDATE and a SELECT.)
_NEXT_SQL = (
    'INSERT INTO "cases_casenumbersequence" ("day", "last") VALUES (%s, 1) '
    'ON CONFLICT ("day") DO UPDATE SET "last" = "cases_casenumbersequence"."last" + 1 '
    'RETURNING "last"'
)
assert CaseNumberSequence._meta.db_table == "cases_casenumbersequence"


def next_case_number() -> str:
    """Allocate the next number. Safe under concurrent creators on SQLite and PostgreSQL."""
    assert transaction.get_connection().in_atomic_block
    day = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_SQL, [day])
        (last,) = cursor.fetchone()
    prefix = settings.TINGSU["CASE_NUMBER_PREFIX"]
    return f"{prefix}{day:%Y%m%d}{last:06d}"
