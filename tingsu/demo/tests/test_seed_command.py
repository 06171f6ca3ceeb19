import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from tingsu.accounts.models import Department
from tingsu.cases.models import Case, CaseEvent, Category, EventKind, Status
from tingsu.core.testing import make_case
from tingsu.demo.seeding import reserve_case_numbers

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


def test_it_seeds_exactly_the_requested_cases_with_unique_numbers_and_a_rate(world):
    output = seed("--cases", "500", "--batch", "120")

    assert re.search(r"seeded 500 cases in \d+\.\d s \(\d+ cases/s\)", output)
    assert re.search(r"database size on disk: \d+\.\d MiB", output)
    assert Case.objects.count() == 500
    assert Case.objects.values("number").distinct().count() == 500
    assert not Case.objects.annotate(n=Count("events")).exclude(n__range=(3, 8)).exists()
    assert CaseEvent.objects.filter(kind=EventKind.CREATED).count() == 500


def test_seeded_cases_carry_their_history_in_times_numbers_and_assignees(world):
    seed("--cases", "300", "--days", "30")

    now = timezone.now()
    for case in Case.objects.select_related("assignee").prefetch_related("events"):
        assert now - timezone.timedelta(days=30) <= case.created_at <= now
        assert case.number[2:10] == f"{timezone.localdate(case.created_at):%Y%m%d}"
        assert case.events.all()[0].created_at == case.created_at
        if case.assignee:
            assert case.assignee.department_id == case.department_id
        if case.status in (Status.RESOLVED, Status.CLOSED):
            assert case.resolved_at and case.resolution_code_id and case.root_cause_id
    assert Case.objects.exclude(assignee=None).exists()


def test_it_creates_a_minimal_department_and_category_when_there_are_none():
    seed("--cases", "10")

    assert Department.objects.count() == 1
    assert Category.objects.count() == 1
    assert Case.objects.filter(category__isnull=False).count() == 10


def test_it_rejects_a_count_that_is_not_positive():
    with pytest.raises(CommandError):
        seed("--cases", "0")
    assert not Case.objects.exists()


def test_reserved_numbers_continue_the_daily_sequence_of_the_services(world):
    first = make_case()
    with transaction.atomic():
        block = reserve_case_numbers(3)
    after = make_case()

    sequence = [int(n[-6:]) for n in [first.number, *block, after.number]]
    assert sequence == list(range(sequence[0], sequence[0] + 5))
