"""Transferring a case to another department's queue."""

import pytest

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Case, CaseEvent, EventKind, Status
from tingsu.cases.services import Actor, case_transfer
from tingsu.core.errors import ErrorCode, TingsuError, ValidationFailed
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db


def snapshot(case):
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.assignee_id,
        fresh.department_id,
        fresh.updated_at,
        CaseEvent.objects.filter(case=case).count(),
        AuditEntry.objects.count(),
    )


def test_it_moves_an_in_progress_case_unassigned_into_the_target_queue(world):
    case = make_case(department=world.service, assignee=world.alice, status=Status.IN_PROGRESS)
    case_transfer(
        actor=Actor.staff(world.alice), case=case, department=world.logistics, reason="需物流部核实"
    )
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.department == world.logistics
    assert fresh.assignee is None
    assert fresh.status == Status.NEW
    event = CaseEvent.objects.get(case=case, kind=EventKind.TRANSFERRED)
    assert event.body == "需物流部核实" and event.author == world.alice
    assert event.data["from"] == world.service.pk and event.data["to"] == world.logistics.pk
    assert event.data["to_label"] == "物流部" and event.data["reason"] == "需物流部核实"
    transition = CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).latest("id")
    assert transition.data == {"from": "in_progress", "to": "new", "action": "transfer"}
    audit = AuditEntry.objects.get(action="case.transfer")
    assert audit.actor == world.alice and audit.object_id == str(case.pk)
    assert audit.changes["to"] == world.logistics.pk and audit.changes["reason"] == "需物流部核实"


def test_a_case_waiting_for_the_customer_keeps_waiting_after_a_transfer(world):
    case = make_case(department=world.service, assignee=world.alice, status=Status.WAITING_CUSTOMER)
    case_transfer(actor=Actor.staff(world.carol), case=case, department=world.logistics, reason="x")
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == Status.WAITING_CUSTOMER and fresh.assignee is None
    assert CaseEvent.objects.filter(case=case, kind=EventKind.TRANSFERRED).count() == 1
    assert AuditEntry.objects.filter(action="case.transfer").count() == 1


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_requires_a_reason(world, reason):
    case = make_case(department=world.service, assignee=world.alice)
    before = snapshot(case)
    with pytest.raises(ValidationFailed) as exc:
        case_transfer(
            actor=Actor.staff(world.alice), case=case, department=world.logistics, reason=reason
        )
    assert "reason" in exc.value.detail
    assert snapshot(case) == before


def test_it_refuses_a_transfer_to_the_same_department(world):
    case = make_case(department=world.service, assignee=world.alice)
    before = snapshot(case)
    with pytest.raises(ValidationFailed) as exc:
        case_transfer(
            actor=Actor.staff(world.alice), case=case, department=world.service, reason="转回"
        )
    assert "department" in exc.value.detail
    assert snapshot(case) == before


def test_it_refuses_a_transfer_to_an_inactive_department(world):
    world.logistics.is_active = False
    world.logistics.save()
    case = make_case(department=world.service)
    before = snapshot(case)
    with pytest.raises(ValidationFailed) as exc:
        case_transfer(
            actor=Actor.staff(world.carol), case=case, department=world.logistics, reason="转"
        )
    assert "department" in exc.value.detail
    assert snapshot(case) == before


def test_it_refuses_a_transfer_from_a_compliance_officer(world):
    case = make_case(department=world.service)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_transfer(
            actor=Actor.staff(world.quinn), case=case, department=world.logistics, reason="转"
        )
    assert exc.value.code == ErrorCode.PERMISSION_DENIED
    assert snapshot(case) == before


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED, Status.WITHDRAWN])
def test_it_refuses_to_transfer_a_case_that_is_no_longer_open(world, status):
    case = make_case(department=world.service, status=status)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_transfer(
            actor=Actor.staff(world.carol), case=case, department=world.logistics, reason="转"
        )
    assert exc.value.code == ErrorCode.INVALID_TRANSITION
    assert snapshot(case) == before
