"""Readable case numbers: PREFIX + local date + 6-digit daily sequence (TS20261123000123)."""

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tingsu.cases.models import CaseNumberSequence


def next_case_number() -> str:
    """Allocate the next number. Safe under concurrent creators on SQLite and PostgreSQL.

    The daily row is created with INSERT .. ON CONFLICT DO NOTHING, then bumped with a
    single UPDATE, which holds the row lock until the surrounding transaction ends.
    """
    assert transaction.get_connection().in_atomic_block
    day = timezone.localdate()
    CaseNumberSequence.objects.bulk_create(
        [CaseNumberSequence(day=day, last=0)], ignore_conflicts=True
    )
    CaseNumberSequence.objects.filter(day=day).update(last=F("last") + 1)
    last = CaseNumberSequence.objects.values_list("last", flat=True).get(day=day)
    prefix = settings.TINGSU["CASE_NUMBER_PREFIX"]
    return f"{prefix}{day:%Y%m%d}{last:06d}"
