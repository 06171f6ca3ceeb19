"""Warnings and breaches by the scheduler job, one timer per step."""

import importlib
import threading

import pytest
from django.apps import apps
from django.db import connection

from tingsu.cases.models import Case, CaseEvent, EventKind, Priority
from tingsu.channels.models import StaffNotification
from tingsu.sla.models import TimerKind
from tingsu.sla.services import sla_claim_due

from .helpers import at, audits, new_case, sla_events, timer, travel

FIRST = TimerKind.FIRST_RESPONSE


def drain() -> int:
    n = 0
    while sla_claim_due():
        n += 1
    return n


@pytest.mark.django_db
def test_it_warns_the_assignee_once_per_threshold_then_escalates_the_breach(world):
    # 一般: first response in 8 working hours -> 17:00; 75% at 15:00, 90% at 16:12.
    case = new_case(world, at(2025, 10, 13, 9, 0), assignee=world.alice)
    assert timer(case, FIRST).next_check_at == at(2025, 10, 13, 15, 0)
    with travel(at(2025, 10, 13, 14, 59)):
        assert drain() == 0
    with travel(at(2025, 10, 13, 15, 0)):
        assert drain() == 1
        assert drain() == 0
    assert sla_events(case, "warning").count() == 1
    assert audits(case, "sla.warning").count() == 1
    assert StaffNotification.objects.filter(user=world.alice, kind="sla_warning").count() == 1
    assert timer(case, FIRST).next_check_at == at(2025, 10, 13, 16, 12)
    with travel(at(2025, 10, 13, 16, 12)):
        drain()
    assert sla_events(case, "warning").count() == 2
    assert timer(case, FIRST).next_check_at == at(2025, 10, 13, 17, 0)
    with travel(at(2025, 10, 13, 17, 0)):
        assert drain() == 1
        assert drain() == 0
    t = timer(case, FIRST)
    assert t.breached_at == at(2025, 10, 13, 17, 0)
    assert t.next_check_at is None
    case.refresh_from_db()
    assert case.priority == Priority.P2
    assert sla_events(case, "breached").count() == 1
    assert audits(case, "sla.breach").count() == 1
    assert (
        CaseEvent.objects.filter(
            case=case, kind=EventKind.FIELD_CHANGED, data__field="priority"
        ).count()
        == 1
    )
    assert StaffNotification.objects.filter(user=world.carol, kind="sla_breached").count() == 1


@pytest.mark.django_db
def test_a_timer_found_long_after_its_deadline_is_breached_without_late_warnings(world):
    case = new_case(world, at(2025, 10, 13, 9, 0), assignee=world.alice)
    with travel(at(2025, 10, 14, 12, 0)):
        drain()
    assert sla_events(case, "warning").count() == 0
    assert sla_events(case, "breached").filter(data__sla__kind=FIRST).count() == 1


@pytest.mark.django_db
def test_a_paused_timer_is_never_breached(world):
    from tingsu.cases.services import Actor, case_add_message, case_transition

    case = new_case(world, at(2025, 10, 13, 9, 0), assignee=world.alice)
    with travel(at(2025, 10, 13, 10, 0)):
        case_add_message(actor=Actor.staff(world.alice), case=case, body="请补充")
        case_transition(actor=Actor.staff(world.alice), case=case, action="wait_customer")
    with travel(at(2025, 11, 30, 10, 0)):
        drain()
    assert sla_events(case, "breached").count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_on_postgresql_never_double_escalate():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks with skip_locked")
    from tingsu.core.testing import make_world

    # An earlier transactional test's flush removes the calendar and policies that the
    # migrations seed; seed them again (the seed is idempotent).
    importlib.import_module("tingsu.sla.migrations.0002_seed").seed(apps, None)

    world = make_world()
    cases = [new_case(world, at(2025, 10, 13, 9, 0)) for _ in range(6)]
    errors: list[BaseException] = []
    claims: list[int] = []
    start = threading.Barrier(2)

    def scheduler():
        try:
            with travel(at(2025, 10, 21, 9, 0)):
                start.wait()
                n = 0
                while sla_claim_due():
                    n += 1
                claims.append(n)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(claims) > 0
    # A scheduler that found nothing free stops its pass (the real loop sleeps and comes
    # back); drain what is left so the counts below check "exactly once", not timing.
    with travel(at(2025, 10, 21, 9, 0)):
        while sla_claim_due():
            pass
    for case in cases:
        # Two timers (first response, resolution) breached: one raise each, never more.
        assert sla_events(case, "breached").count() == 2
        assert (
            CaseEvent.objects.filter(
                case=case, kind=EventKind.FIELD_CHANGED, data__field="priority"
            ).count()
            == 2
        )
        assert Case.objects.get(pk=case.pk).priority == Priority.P1
