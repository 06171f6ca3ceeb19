"""Timers follow the case through cases.services. Deadlines are hand-computed for the
mainland China calendar (09:00-18:00; National Day 2025: 10-01..08 off, Sat 10-11 worked)
and the seeded policies (一般 8h / 5 working days, 紧急 4h / 3, 重大 1h / 1)."""

import pytest

from tingsu.cases.models import Severity
from tingsu.cases.services import (
    Actor,
    case_add_message,
    case_transfer,
    case_transition,
    case_update_fields,
)
from tingsu.sla.models import SlaPolicy, TimerKind

from .helpers import at, audits, new_case, sla_events, timer, travel

pytestmark = pytest.mark.django_db

FIRST, NEXT, RES = TimerKind.FIRST_RESPONSE, TimerKind.NEXT_RESPONSE, TimerKind.RESOLUTION


def test_a_complaint_at_2359_on_national_day_eve_is_due_after_the_holiday(world):
    case = new_case(world, at(2025, 9, 30, 23, 59))
    assert timer(case, FIRST).due_at == at(2025, 10, 9, 17, 0)  # 8 working hours
    # Thu 9, Fri 10, Sat 11 (调休), Mon 13, Tue 14.
    assert timer(case, RES).due_at == at(2025, 10, 14, 18, 0)
    assert timer(case, FIRST).policy.key == "normal"


def test_a_major_complaint_on_national_day_eve_is_due_on_the_first_working_day(world):
    case = new_case(world, at(2025, 9, 30, 23, 59), severity=Severity.MAJOR)
    assert timer(case, FIRST).due_at == at(2025, 10, 9, 10, 0)
    assert timer(case, RES).due_at == at(2025, 10, 9, 18, 0)


def test_a_tiaoxiu_saturday_counts_as_a_working_day(world):
    case = new_case(world, at(2025, 10, 10, 16, 0), severity=Severity.URGENT)
    # 2 hours on Friday, 2 on Saturday 10-11.
    assert timer(case, FIRST).due_at == at(2025, 10, 11, 11, 0)
    assert timer(case, RES).due_at == at(2025, 10, 14, 18, 0)  # Sat 11, Mon 13, Tue 14


def test_a_staff_reply_stops_the_first_response_timer(world):
    case = new_case(world, at(2025, 10, 13, 9, 0))
    with travel(at(2025, 10, 13, 10, 0)):
        case_add_message(actor=Actor.staff(world.alice), case=case, body="您好，我们在处理。")
    assert timer(case, FIRST).stopped_at == at(2025, 10, 13, 10, 0)
    assert timer(case, FIRST).next_check_at is None
    assert timer(case, RES).stopped_at is None


def test_a_customer_message_starts_the_next_response_timer_and_a_reply_stops_it(world):
    case = new_case(world, at(2025, 10, 13, 9, 0))
    with travel(at(2025, 10, 13, 10, 0)):
        case_add_message(actor=Actor.staff(world.alice), case=case, body="已收到")
    with travel(at(2025, 10, 13, 16, 0)):
        case_add_message(actor=Actor.customer(case.customer), case=case, body="还有一件")
    nxt = timer(case, NEXT)
    assert nxt.due_at == at(2025, 10, 14, 15, 0)  # 2h Monday + 6h Tuesday
    with travel(at(2025, 10, 14, 9, 30)):
        case_add_message(actor=Actor.staff(world.alice), case=case, body="好的")
    assert timer(case, NEXT).stopped_at == at(2025, 10, 14, 9, 30)


def test_waiting_on_the_customer_pauses_and_the_reply_resumes_with_the_deadline_moved(world):
    case = new_case(world, at(2025, 10, 13, 9, 0))
    assert timer(case, RES).due_at == at(2025, 10, 20, 18, 0)
    with travel(at(2025, 10, 13, 10, 0)):
        case_add_message(actor=Actor.staff(world.alice), case=case, body="请补充照片")
    with travel(at(2025, 10, 13, 11, 0)):
        case_transition(actor=Actor.staff(world.alice), case=case, action="wait_customer")
    res = timer(case, RES)
    assert res.paused_at == at(2025, 10, 13, 11, 0)
    assert res.next_check_at is None
    assert sla_events(case, "paused").count() == 1
    assert audits(case, "sla.pause").count() == 1
    with travel(at(2025, 10, 14, 11, 0)):
        case_add_message(actor=Actor.customer(case.customer), case=case, body="照片在此")
    res = timer(case, RES)
    # Paused Mon 11:00-18:00 (7h) + Tue 09:00-11:00 (2h) = 9 working hours = one full day.
    assert res.paused_at is None
    assert res.paused_total == 9 * 3600
    assert res.due_at == at(2025, 10, 21, 18, 0)
    assert sla_events(case, "resumed").count() == 1
    assert audits(case, "sla.resume").count() == 1


def test_raising_the_severity_recomputes_from_the_original_start(world):
    case = new_case(world, at(2025, 10, 13, 9, 0))
    assert timer(case, FIRST).due_at == at(2025, 10, 13, 17, 0)
    with travel(at(2025, 10, 13, 9, 30)):
        case_update_fields(
            actor=Actor.staff(world.carol), case=case, changes={"severity": Severity.MAJOR}
        )
    first, res = timer(case, FIRST), timer(case, RES)
    assert first.policy.key == res.policy.key == "major"
    assert first.started_at == at(2025, 10, 13, 9, 0)
    assert first.due_at == at(2025, 10, 13, 10, 0)
    assert res.due_at == at(2025, 10, 14, 18, 0)
    assert sla_events(case, "recomputed").count() == 2
    assert audits(case, "sla.recompute").count() == 2


def test_a_transfer_keeps_the_clock(world):
    case = new_case(world, at(2025, 10, 13, 9, 0))
    before = timer(case, RES).due_at
    with travel(at(2025, 10, 13, 12, 0)):
        case_transfer(
            actor=Actor.staff(world.carol), case=case, department=world.logistics, reason="物流"
        )
    assert timer(case, RES).due_at == before
    assert timer(case, RES).started_at == at(2025, 10, 13, 9, 0)


def test_resolving_stops_every_timer_and_reopening_starts_a_fresh_resolution_clock(world):
    case = new_case(world, at(2025, 10, 13, 9, 0))
    with travel(at(2025, 10, 13, 10, 0)):
        case_add_message(actor=Actor.staff(world.alice), case=case, body="处理中")
        case_transition(
            actor=Actor.staff(world.alice),
            case=case,
            action="resolve",
            resolution_code=world.resolution_code,
            root_cause=world.root_cause,
            summary="已退款",
        )
    assert not case.sla_timers.filter(stopped_at__isnull=True).exists()
    with travel(at(2025, 10, 15, 14, 0)):
        case_transition(actor=Actor.customer(case.customer), case=case, action="reopen")
    fresh = timer(case, RES)
    assert fresh.stopped_at is None
    assert fresh.started_at == at(2025, 10, 15, 14, 0)
    assert fresh.due_at == at(2025, 10, 22, 18, 0)  # Thu, Fri, Mon, Tue, Wed


def test_no_active_policy_means_no_timer(world):
    SlaPolicy.objects.update(is_active=False)
    case = new_case(world, at(2025, 10, 13, 9, 0))
    assert not case.sla_timers.exists()


def test_a_policy_for_a_customer_tier_wins_by_order(world):
    normal = SlaPolicy.objects.get(key="normal")
    SlaPolicy.objects.create(
        name="VIP",
        key="vip",
        calendar=normal.calendar,
        customer_tier="vip",
        order=1,
        first_response_unit="working_hours",
        first_response_value=2,
        resolution_unit="working_days",
        resolution_value=2,
    )
    from tingsu.core.testing import make_case, make_customer

    with travel(at(2025, 10, 13, 9, 0)):
        case = make_case(customer=make_customer(tier="vip"), subject="包装", description="请处理")
    assert timer(case, FIRST).policy.key == "vip"
    assert timer(case, FIRST).due_at == at(2025, 10, 13, 11, 0)


def test_an_outside_appraisal_pauses_the_clock_with_a_reason_and_resumes_it(world):
    from tingsu.core.errors import ValidationFailed
    from tingsu.sla.services import sla_case_pause, sla_case_resume

    case = new_case(world, at(2025, 10, 13, 9, 0))
    with pytest.raises(ValidationFailed):
        sla_case_pause(case=case, user=world.alice, reason=" ")
    with travel(at(2025, 10, 13, 14, 0)):
        assert sla_case_pause(case=case, user=world.alice, reason="等待质检报告")
        assert not sla_case_pause(case=case, user=world.alice, reason="再次")
    assert sla_events(case, "paused").get().body.endswith("等待质检报告")
    assert audits(case, "sla.pause").get().actor == world.alice
    # Paused Mon 14:00-18:00 (4h) + Tue 09:00-10:00 (1h).
    with travel(at(2025, 10, 14, 10, 0)):
        assert sla_case_resume(case=case, user=world.alice)
    assert timer(case, RES).due_at == at(2025, 10, 21, 14, 0)
    assert sla_events(case, "resumed").count() == 1
