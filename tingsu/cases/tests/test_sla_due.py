"""Case.sla_due_at follows the case's SLA timers (database triggers), whoever changes them,
and the queue sorted by due date follows it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Min

from tingsu.cases.models import Case
from tingsu.cases.selectors import CaseFilters, case_list
from tingsu.cases.sla_due import (
    create_sla_due_triggers,
    drop_sla_due_triggers,
    ensure_sla_due_triggers,
    refresh_sla_due,
    sla_due_triggers_missing,
)
from tingsu.sla.models import SlaPolicy, SlaTimer, TimerKind
from tingsu.sla.services import sla_timer_extend
from tingsu.sla.tests.helpers import at, new_case, timer, travel

pytestmark = pytest.mark.django_db


def stored(case):
    return Case.objects.values_list("sla_due_at", flat=True).get(pk=case.pk)


def expected(case):
    """The old definition: earliest due_at of the open, unpaused timers."""
    return SlaTimer.objects.filter(
        case=case, stopped_at__isnull=True, paused_at__isnull=True
    ).aggregate(due=Min("due_at"))["due"]


def due_queue(user) -> list[int]:
    qs = case_list(user=user, filters=CaseFilters(tab="all", sort="due"))
    return list(qs.values_list("pk", flat=True))


def test_a_new_case_gets_its_nearest_deadline(world):
    case = new_case(world, at(2025, 10, 13, 9, 0))
    assert SlaTimer.objects.filter(case=case).count() >= 1
    assert stored(case) is not None
    assert stored(case) == expected(case)


def test_pausing_stopping_extending_and_deleting_timers_move_the_deadline(world):
    SlaPolicy.objects.filter(key="cn-bank-insurance").update(is_active=True)
    case = new_case(world, at(2025, 10, 13, 9, 0))
    res = timer(case, TimerKind.RESOLUTION)
    assert stored(case) == res.due_at == at(2025, 10, 28, 9, 0)

    SlaTimer.objects.filter(pk=res.pk).update(paused_at=at(2025, 10, 14, 9, 0))
    assert stored(case) is None  # its only timer is paused
    res.paused_at = None
    res.save(update_fields=["paused_at"])
    assert stored(case) == at(2025, 10, 28, 9, 0)

    with travel(at(2025, 10, 20, 10, 0)):
        sla_timer_extend(timer=res, user=world.alice, reason="需要第三方鉴定")
    assert stored(case) == at(2025, 11, 12, 9, 0) == expected(case)

    # A second, nearer timer takes over; stopping it hands back to the first.
    other = SlaTimer.objects.create(
        case=case,
        kind=TimerKind.NEXT_RESPONSE,
        policy=res.policy,
        unit=res.unit,
        started_at=at(2025, 10, 20, 10, 0),
        due_at=at(2025, 10, 21, 10, 0),
    )
    assert stored(case) == at(2025, 10, 21, 10, 0)
    # New timers that are later, paused or stopped leave it alone.
    for extra in (
        {"due_at": at(2025, 12, 1, 9, 0)},
        {"due_at": at(2025, 10, 20, 12, 0), "paused_at": at(2025, 10, 20, 10, 0)},
        {"due_at": at(2025, 10, 20, 12, 0), "stopped_at": at(2025, 10, 20, 10, 0)},
    ):
        SlaTimer.objects.create(
            case=case,
            kind=TimerKind.NEXT_RESPONSE,
            policy=res.policy,
            unit=res.unit,
            started_at=at(2025, 10, 20, 10, 0),
            **extra,
        )
        assert stored(case) == at(2025, 10, 21, 10, 0) == expected(case)
    SlaTimer.objects.filter(case=case).exclude(pk__in=[res.pk, other.pk]).delete()
    SlaTimer.objects.filter(pk=other.pk).update(stopped_at=at(2025, 10, 20, 11, 0))
    assert stored(case) == at(2025, 11, 12, 9, 0)

    # Columns that do not change the deadline leave it alone.
    SlaTimer.objects.filter(pk=res.pk).update(warned_levels=[75], next_check_at=None)
    assert stored(case) == at(2025, 11, 12, 9, 0)

    SlaTimer.objects.filter(case=case).delete()
    assert stored(case) is None


def test_moving_a_timer_to_another_case_updates_both(world):
    a = new_case(world, at(2025, 10, 13, 9, 0))
    b = new_case(world, at(2025, 10, 13, 10, 0))
    SlaTimer.objects.filter(case=a).update(case=b)
    assert stored(a) is None
    assert stored(b) == expected(b)


def test_saving_a_loaded_case_keeps_the_deadline_its_timers_set_meanwhile(world):
    case = new_case(world, at(2025, 10, 13, 9, 0))
    loaded = Case.objects.get(pk=case.pk)
    SlaTimer.objects.filter(case=case).update(due_at=at(2025, 12, 1, 9, 0))
    loaded.subject = "包装破损"
    loaded.save()
    assert Case.objects.get(pk=case.pk).subject == "包装破损"
    assert stored(case) == at(2025, 12, 1, 9, 0)


def test_saving_a_case_loaded_without_its_long_texts_does_not_load_them(
    world, django_assert_num_queries
):
    case = new_case(world, at(2025, 10, 13, 9, 0))
    loaded = Case.objects.defer("description", "resolution_summary").get(pk=case.pk)
    loaded.subject = "包装破损"
    with django_assert_num_queries(1):
        loaded.save()
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.subject, fresh.description) == ("包装破损", case.description)
    assert fresh.sla_due_at == expected(case)


def test_the_due_sorted_queue_follows_timer_changes(world):
    early = new_case(world, at(2025, 10, 13, 9, 0))
    late = new_case(world, at(2025, 10, 14, 9, 0))
    none = new_case(world, at(2025, 10, 15, 9, 0))
    SlaTimer.objects.filter(case=none).delete()
    assert due_queue(world.carol) == [early.pk, late.pk, none.pk]

    # Extending the early case past the late one swaps them.
    SlaTimer.objects.filter(case=early).update(
        due_at=SlaTimer.objects.filter(case=late).aggregate(m=Min("due_at"))["m"]
        + timedelta(days=1)
    )
    assert due_queue(world.carol) == [late.pk, early.pk, none.pk]

    # Pausing puts a case among those without a running deadline (newest id first).
    SlaTimer.objects.filter(case=late).update(paused_at=at(2025, 10, 14, 10, 0))
    assert due_queue(world.carol) == [early.pk, none.pk, late.pk]

    # The row shows the same deadline the queue sorted by.
    rows = case_list(user=world.carol, filters=CaseFilters(tab="all", sort="due"))
    assert {row.pk: row.sla_due for row in rows} == {c.pk: expected(c) for c in rows}


def test_refresh_recomputes_what_changed_without_the_triggers(world):
    a = new_case(world, at(2025, 10, 13, 9, 0))
    b = new_case(world, at(2025, 10, 13, 10, 0))
    with connection.cursor() as cursor:
        drop_sla_due_triggers(cursor)
        try:
            if connection.vendor == "sqlite":
                assert sla_due_triggers_missing(connection.alias)
            SlaTimer.objects.filter(case=a).update(due_at=at(2026, 1, 1, 9, 0))
            SlaTimer.objects.filter(case=b).delete()
            assert stored(a) != at(2026, 1, 1, 9, 0)  # nothing kept it
            refresh_sla_due(cursor)
        finally:
            create_sla_due_triggers(cursor)
    assert stored(a) == at(2026, 1, 1, 9, 0)
    assert stored(b) is None
    assert not sla_due_triggers_missing(connection.alias)


def test_refresh_since_an_id_leaves_older_cases_alone(world):
    old = new_case(world, at(2025, 10, 13, 9, 0))
    new = new_case(world, at(2025, 10, 13, 10, 0))
    with connection.cursor() as cursor:
        drop_sla_due_triggers(cursor)
        try:
            SlaTimer.objects.update(due_at=at(2026, 1, 1, 9, 0))
            refresh_sla_due(cursor, since_id=old.pk)
        finally:
            create_sla_due_triggers(cursor)
    assert stored(new) == at(2026, 1, 1, 9, 0)
    assert stored(old) != at(2026, 1, 1, 9, 0)


@pytest.mark.sqlite
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite table rebuilds drop triggers")
def test_a_migrate_puts_back_triggers_a_table_rebuild_dropped(world):
    case = new_case(world, at(2025, 10, 13, 9, 0))
    with connection.cursor() as cursor:
        drop_sla_due_triggers(cursor)
    SlaTimer.objects.filter(case=case).update(due_at=at(2026, 1, 1, 9, 0))
    assert ensure_sla_due_triggers(connection.alias)
    assert stored(case) == at(2026, 1, 1, 9, 0)
    assert not ensure_sla_due_triggers(connection.alias)
    SlaTimer.objects.filter(case=case).update(due_at=at(2026, 2, 1, 9, 0))
    assert stored(case) == at(2026, 2, 1, 9, 0)
