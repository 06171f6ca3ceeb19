"""The case lifecycle through `case_transition`: every move, its event and its audit entry."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Case, CaseEvent, EventKind, Status
from tingsu.cases.services import (
    Actor,
    case_add_message,
    case_assign,
    case_merge,
    case_transition,
)
from tingsu.cases.workflow import TRANSITIONS, Action
from tingsu.core.errors import ErrorCode, TingsuError, ValidationFailed
from tingsu.core.testing import make_case, make_customer

pytestmark = pytest.mark.django_db


def snapshot(case):
    """What must not move when a service refuses."""
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.updated_at,
        fresh.resolved_at,
        fresh.closed_at,
        fresh.reopen_count,
        CaseEvent.objects.filter(case=case).count(),
        AuditEntry.objects.count(),
    )


def last_transition(case):
    return CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).latest("id")


def last_audit(case):
    return AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).latest("id")


def assert_moved(case, *, action, old, new, actor_user=None):
    event = last_transition(case)
    assert event.data["from"] == old and event.data["to"] == new
    assert event.data["action"] == action
    assert event.is_public
    assert event.author == actor_user
    audit = last_audit(case)
    assert audit.action in (f"case.{action}", "case.assign", "case.message")
    assert audit.changes["number"] == case.number
    assert Case.objects.get(pk=case.pk).status == new


def resolve(world, case, actor=None, **kw):
    args = dict(
        resolution_code=world.resolution_code,
        root_cause=world.root_cause,
        summary="已为您办理退款，并提醒仓库加强包装。",
    )
    return case_transition(
        actor=actor or Actor.staff(world.alice), case=case, action=Action.RESOLVE, **{**args, **kw}
    )


def test_it_walks_a_case_from_new_to_closed(world):
    customer = make_customer()
    case = make_case(customer=customer, department=world.service)
    alice = Actor.staff(world.alice)
    assert case.status == Status.NEW

    case = case_assign(actor=alice, case=case, assignee=world.alice)
    assert_moved(case, action="assign", old=Status.NEW, new=Status.ASSIGNED, actor_user=world.alice)
    assert last_audit(case).action == "case.assign"

    case = case_transition(actor=alice, case=case, action=Action.START)
    assert_moved(
        case, action="start", old=Status.ASSIGNED, new=Status.IN_PROGRESS, actor_user=world.alice
    )
    assert last_audit(case).action == "case.start"

    case = case_transition(actor=alice, case=case, action=Action.WAIT_CUSTOMER)
    assert_moved(
        case,
        action="wait_customer",
        old=Status.IN_PROGRESS,
        new=Status.WAITING_CUSTOMER,
        actor_user=world.alice,
    )
    assert last_audit(case).action == "case.wait_customer"

    case_add_message(actor=Actor.customer(customer), case=case, body="照片已经补充。")
    assert_moved(case, action="message", old=Status.WAITING_CUSTOMER, new=Status.IN_PROGRESS)
    assert last_transition(case).author_type == "customer"
    assert last_audit(case).action == "case.message"

    case = resolve(world, case)
    assert_moved(
        case, action="resolve", old=Status.IN_PROGRESS, new=Status.RESOLVED, actor_user=world.alice
    )
    case.refresh_from_db()
    assert case.resolution_code == world.resolution_code
    assert case.root_cause == world.root_cause
    assert case.resolution_summary.startswith("已为您办理退款")
    assert case.resolved_at is not None and case.auto_close_at is not None
    event = last_transition(case)
    assert event.body == case.resolution_summary
    assert event.data["resolution_code"] == "refund" and event.data["root_cause"] == "packaging"
    assert last_audit(case).action == "case.resolve"

    case = case_transition(actor=alice, case=case, action=Action.CLOSE)
    assert_moved(
        case, action="close", old=Status.RESOLVED, new=Status.CLOSED, actor_user=world.alice
    )
    case.refresh_from_db()
    assert case.closed_at is not None and case.auto_close_at is None
    assert last_audit(case).action == "case.close"
    assert last_audit(case).changes == {"number": case.number, "from": "resolved", "to": "closed"}


def test_a_staff_reply_starts_work_on_an_assigned_case(world):
    case = make_case(department=world.service, assignee=world.alice)
    case_add_message(actor=Actor.staff(world.alice), case=case, body="您好，我们正在核实。")
    assert_moved(
        case, action="message", old=Status.ASSIGNED, new=Status.IN_PROGRESS, actor_user=world.alice
    )


@pytest.mark.parametrize("missing", ["resolution_code", "root_cause", "summary"])
def test_it_refuses_to_resolve_without_each_required_field(world, missing):
    case = make_case(department=world.service, assignee=world.alice, status=Status.IN_PROGRESS)
    before = snapshot(case)
    blank = {"summary": "   "} if missing == "summary" else {missing: None}
    with pytest.raises(ValidationFailed) as exc:
        resolve(world, case, **blank)
    assert exc.value.code == ErrorCode.VALIDATION
    assert list(exc.value.detail) == [missing]
    assert snapshot(case) == before
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.resolution_code is None and fresh.resolution_summary == ""


@pytest.mark.parametrize("field", ["resolution_code", "root_cause"])
def test_it_refuses_to_resolve_with_a_retired_code(world, field):
    retired = getattr(world, field)
    retired.is_active = False
    retired.save()
    case = make_case(department=world.service, assignee=world.alice, status=Status.IN_PROGRESS)
    before = snapshot(case)
    with pytest.raises(ValidationFailed) as exc:
        resolve(world, case)
    assert list(exc.value.detail) == [field]
    assert snapshot(case) == before


def test_it_lists_every_missing_field_when_resolving_with_nothing(world):
    case = make_case(department=world.service, assignee=world.alice, status=Status.IN_PROGRESS)
    with pytest.raises(ValidationFailed) as exc:
        case_transition(actor=Actor.staff(world.alice), case=case, action=Action.RESOLVE)
    assert set(exc.value.detail) == {"resolution_code", "root_cause", "summary"}


ILLEGAL = [
    (action, status)
    for action, transition in TRANSITIONS.items()
    for status in Status
    if status not in transition.sources
]


@pytest.mark.parametrize(("action", "status"), ILLEGAL, ids=lambda v: str(v))
def test_it_refuses_every_illegal_transition_and_changes_nothing(world, action, status):
    case = make_case(department=world.service, assignee=world.alice, status=status)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        resolve(world, case, actor=Actor.staff(world.root)) if action == Action.RESOLVE else (
            case_transition(actor=Actor.staff(world.root), case=case, action=action, reason="x")
        )
    assert exc.value.code == ErrorCode.INVALID_TRANSITION
    assert exc.value.detail["status"] == status
    assert exc.value.detail["action"] == action
    assert snapshot(case) == before


def test_the_illegal_transition_table_is_not_empty():
    # Guard against the parametrised test above silently testing nothing.
    assert len(ILLEGAL) >= len(Action) * 3


def test_it_refuses_an_unknown_action(world):
    case = make_case(department=world.service)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_transition(actor=Actor.staff(world.alice), case=case, action="teleport")
    assert exc.value.code == ErrorCode.INVALID_TRANSITION
    assert snapshot(case) == before


def test_it_reopens_within_the_window_and_counts_it(world, settings):
    settings.TINGSU = {**settings.TINGSU, "REOPEN_WINDOW_DAYS": 3}
    customer = make_customer()
    case = make_case(
        customer=customer, department=world.service, assignee=world.alice, status=Status.IN_PROGRESS
    )
    resolve(world, case)
    with time_machine.travel(timezone.now() + timedelta(days=2, hours=23)):
        case = case_transition(
            actor=Actor.customer(customer), case=case, action=Action.REOPEN, reason="还是没退款"
        )
    # Someone owns the case, so it goes straight back to work.
    assert_moved(case, action="reopen", old=Status.RESOLVED, new=Status.IN_PROGRESS)
    case.refresh_from_db()
    assert case.reopen_count == 1
    assert case.resolved_at is None and case.auto_close_at is None
    assert last_transition(case).body == "还是没退款"
    assert last_audit(case).action == "case.reopen"
    assert last_audit(case).actor is None
    assert last_audit(case).actor_label == f"customer:{customer.pk}"


def test_it_reopens_a_closed_case_into_the_queue_when_no_one_owns_it(world):
    case = make_case(department=world.service, status=Status.IN_PROGRESS)
    resolve(world, case)
    case_transition(actor=Actor.staff(world.carol), case=case, action=Action.CLOSE)
    case = case_transition(actor=Actor.staff(world.carol), case=case, action=Action.REOPEN)
    assert_moved(case, action="reopen", old=Status.CLOSED, new=Status.NEW, actor_user=world.carol)
    assert Case.objects.get(pk=case.pk).reopen_count == 1


def test_it_refuses_to_reopen_after_the_window(world, settings):
    settings.TINGSU = {**settings.TINGSU, "REOPEN_WINDOW_DAYS": 3}
    customer = make_customer()
    case = make_case(
        customer=customer, department=world.service, assignee=world.alice, status=Status.IN_PROGRESS
    )
    resolve(world, case)
    before = snapshot(case)
    later = timezone.now() + timedelta(days=3, minutes=1)
    with time_machine.travel(later), pytest.raises(TingsuError) as exc:
        case_transition(actor=Actor.customer(customer), case=case, action=Action.REOPEN)
    assert exc.value.code == ErrorCode.REOPEN_WINDOW_CLOSED
    assert snapshot(case) == before


def test_a_customer_can_withdraw_their_complaint(world):
    customer = make_customer()
    case = make_case(customer=customer, department=world.service, assignee=world.alice)
    case = case_transition(
        actor=Actor.customer(customer), case=case, action=Action.WITHDRAW, reason="已自行解决"
    )
    assert_moved(case, action="withdraw", old=Status.ASSIGNED, new=Status.WITHDRAWN)
    assert Case.objects.get(pk=case.pk).closed_at is not None
    assert last_transition(case).body == "已自行解决"
    assert last_audit(case).action == "case.withdraw"


def test_it_rejects_a_complaint_with_a_reason(world):
    case = make_case(department=world.service)
    case = case_transition(
        actor=Actor.staff(world.carol), case=case, action=Action.REJECT, reason="不属于受理范围"
    )
    assert_moved(case, action="reject", old=Status.NEW, new=Status.REJECTED, actor_user=world.carol)
    assert last_transition(case).body == "不属于受理范围"
    assert last_audit(case).action == "case.reject"


def test_it_refuses_to_reject_without_a_reason(world):
    case = make_case(department=world.service)
    before = snapshot(case)
    with pytest.raises(ValidationFailed) as exc:
        case_transition(actor=Actor.staff(world.carol), case=case, action=Action.REJECT, reason=" ")
    assert "reason" in exc.value.detail
    assert snapshot(case) == before


@pytest.mark.parametrize("action", [Action.REJECT, Action.RESOLVE, Action.CLOSE, Action.START])
def test_it_refuses_staff_actions_from_a_customer(world, action):
    customer = make_customer()
    status = Status.RESOLVED if action == Action.CLOSE else Status.IN_PROGRESS
    if action == Action.REJECT:
        status = Status.NEW
    case = make_case(customer=customer, department=world.service, status=status)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_transition(
            actor=Actor.customer(customer),
            case=case,
            action=action,
            resolution_code=world.resolution_code,
            root_cause=world.root_cause,
            summary="自己解决了",
            reason="不想要了",
        )
    assert exc.value.code == ErrorCode.PERMISSION_DENIED
    assert snapshot(case) == before


@pytest.mark.parametrize("action", list(Action))
def test_it_refuses_every_action_from_a_compliance_officer(world, action):
    case = make_case(department=world.service, status=Status.IN_PROGRESS)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_transition(
            actor=Actor.staff(world.quinn),
            case=case,
            action=action,
            resolution_code=world.resolution_code,
            root_cause=world.root_cause,
            summary="x",
            reason="x",
        )
    assert exc.value.code == ErrorCode.PERMISSION_DENIED
    assert snapshot(case) == before


def test_it_merges_a_duplicate_into_another_case_with_events_on_both(world):
    customer = make_customer()
    dup = make_case(customer=customer, department=world.service)
    main = make_case(customer=customer, department=world.service)
    case_merge(actor=Actor.staff(world.carol), case=dup, into=main)
    dup.refresh_from_db()
    assert dup.status == Status.MERGED and dup.merged_into == main and dup.closed_at
    on_dup = CaseEvent.objects.filter(case=dup, kind=EventKind.MERGED).get()
    assert on_dup.data["into"] == main.number and on_dup.data["from"] == Status.NEW
    assert on_dup.is_public and on_dup.author == world.carol
    on_main = CaseEvent.objects.filter(case=main, kind=EventKind.MERGED).get()
    assert on_main.data["merged"] == dup.number
    audit = last_audit(dup)
    assert audit.action == "case.merge" and audit.changes["into"] == main.number
    assert Case.objects.get(pk=main.pk).status == Status.NEW


def test_it_refuses_to_merge_a_case_into_itself_or_into_a_closed_case(world):
    customer = make_customer()
    case = make_case(customer=customer, department=world.service)
    closed = make_case(customer=customer, department=world.service, status=Status.CLOSED)
    before = snapshot(case)
    with pytest.raises(ValidationFailed):
        case_merge(actor=Actor.staff(world.carol), case=case, into=case)
    with pytest.raises(TingsuError) as exc:
        case_merge(actor=Actor.staff(world.carol), case=case, into=closed)
    assert exc.value.code == ErrorCode.INVALID_TRANSITION
    assert snapshot(case) == before


def test_it_refuses_to_merge_cases_of_different_customers(world):
    case = make_case(department=world.service)
    other = make_case(department=world.service)
    before = snapshot(case)
    with pytest.raises(ValidationFailed) as exc:
        case_merge(actor=Actor.staff(world.carol), case=case, into=other)
    assert "into" in exc.value.detail
    assert snapshot(case) == before


def test_it_refuses_a_merge_from_a_compliance_officer(world):
    customer = make_customer()
    case = make_case(customer=customer, department=world.service)
    other = make_case(customer=customer, department=world.service)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_merge(actor=Actor.staff(world.quinn), case=case, into=other)
    assert exc.value.code == ErrorCode.PERMISSION_DENIED
    assert snapshot(case) == before
