"""Who may assign a case to whom, and what assignment records."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Case, CaseEvent, EventKind, Status
from tingsu.cases.services import Actor, case_assign
from tingsu.core.errors import ErrorCode, TingsuError
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


def assert_assigned(case, *, actor, old, new):
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.assignee == new
    event = CaseEvent.objects.filter(case=case, kind=EventKind.ASSIGNED).latest("id")
    assert event.author == actor and not event.is_public
    assert event.data == {
        "from": old.pk if old else None,
        "from_label": old.label if old else "",
        "to": new.pk,
        "to_label": new.label,
    }
    audit = AuditEntry.objects.filter(action="case.assign", object_id=str(case.pk)).latest("id")
    assert audit.actor == actor
    assert audit.changes["to"] == new.pk and audit.changes["number"] == case.number


def test_an_agent_takes_a_new_case_of_their_department_and_it_becomes_assigned(world):
    case = make_case(department=world.service)
    case_assign(actor=Actor.staff(world.alice), case=case, assignee=world.alice)
    assert_assigned(case, actor=world.alice, old=None, new=world.alice)
    assert Case.objects.get(pk=case.pk).status == Status.ASSIGNED
    transition = CaseEvent.objects.get(case=case, kind=EventKind.TRANSITION)
    assert transition.data == {"from": "new", "to": "assigned", "action": "assign"}
    assert transition.is_public


def test_it_refuses_an_agent_assigning_a_colleague(world):
    case = make_case(department=world.service)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_assign(actor=Actor.staff(world.alice), case=case, assignee=world.bob)
    assert exc.value.code == ErrorCode.PERMISSION_DENIED
    assert snapshot(case) == before


def test_it_refuses_an_agent_taking_a_colleagues_case(world):
    case = make_case(department=world.service, assignee=world.bob)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_assign(actor=Actor.staff(world.alice), case=case, assignee=world.alice)
    assert exc.value.code == ErrorCode.NOT_FOUND
    assert snapshot(case) == before


def test_it_refuses_an_agent_taking_another_departments_case(world):
    case = make_case(department=world.service)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_assign(actor=Actor.staff(world.dave), case=case, assignee=world.dave)
    assert exc.value.code == ErrorCode.NOT_FOUND
    assert snapshot(case) == before


def test_a_supervisor_reassigns_within_their_department_and_the_status_stays(world):
    case = make_case(department=world.service, assignee=world.alice, status=Status.IN_PROGRESS)
    case_assign(actor=Actor.staff(world.carol), case=case, assignee=world.bob)
    assert_assigned(case, actor=world.carol, old=world.alice, new=world.bob)
    assert Case.objects.get(pk=case.pk).status == Status.IN_PROGRESS
    # The only transition is the one from the first assignment.
    assert CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).count() == 1


def test_it_refuses_a_supervisor_assigning_to_another_department(world):
    case = make_case(department=world.service)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_assign(actor=Actor.staff(world.carol), case=case, assignee=world.dave)
    assert exc.value.code == ErrorCode.PERMISSION_DENIED
    assert snapshot(case) == before


def test_it_refuses_a_supervisor_pulling_in_another_departments_case(world):
    case = make_case(department=world.service)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_assign(actor=Actor.staff(world.erin), case=case, assignee=world.dave)
    assert exc.value.code == ErrorCode.NOT_FOUND
    assert snapshot(case) == before


def test_an_admin_assigns_anyone_and_the_case_follows_the_assignees_department(world):
    case = make_case(department=world.service)
    case_assign(actor=Actor.staff(world.root), case=case, assignee=world.dave)
    assert_assigned(case, actor=world.root, old=None, new=world.dave)
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.department == world.logistics and fresh.status == Status.ASSIGNED


def test_it_refuses_a_compliance_officer_as_assignee(world):
    case = make_case(department=world.service)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_assign(actor=Actor.staff(world.root), case=case, assignee=world.quinn)
    assert exc.value.code == ErrorCode.VALIDATION
    assert "assignee" in exc.value.detail
    assert snapshot(case) == before


def test_it_refuses_an_inactive_assignee(world):
    world.bob.is_active = False
    world.bob.save()
    case = make_case(department=world.service)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_assign(actor=Actor.staff(world.carol), case=case, assignee=world.bob)
    assert exc.value.code == ErrorCode.VALIDATION
    assert snapshot(case) == before


def test_it_refuses_a_compliance_officer_assigning_even_a_closed_case(world):
    for status in (Status.NEW, Status.CLOSED):
        case = make_case(department=world.service, status=status)
        before = snapshot(case)
        with pytest.raises(TingsuError) as exc:
            case_assign(actor=Actor.staff(world.quinn), case=case, assignee=world.alice)
        assert exc.value.code == ErrorCode.PERMISSION_DENIED
        assert snapshot(case) == before


@pytest.mark.parametrize(
    "status", [Status.RESOLVED, Status.CLOSED, Status.WITHDRAWN, Status.REJECTED, Status.MERGED]
)
def test_it_refuses_to_assign_a_case_that_is_no_longer_open(world, status):
    case = make_case(department=world.service, status=status)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_assign(actor=Actor.staff(world.carol), case=case, assignee=world.alice)
    assert exc.value.code == ErrorCode.INVALID_TRANSITION
    assert snapshot(case) == before


def test_assigning_the_current_assignee_again_records_nothing(world):
    case = make_case(department=world.service, assignee=world.alice)
    before = snapshot(case)
    case_assign(actor=Actor.staff(world.carol), case=case, assignee=world.alice)
    assert snapshot(case) == before


def test_it_refuses_a_customer_or_the_system_assigning(world):
    from tingsu.core.testing import make_customer

    customer = make_customer()
    case = make_case(customer=customer, department=world.service)
    before = snapshot(case)
    for actor in (Actor.customer(customer), Actor.system()):
        with pytest.raises(TingsuError) as exc:
            case_assign(actor=actor, case=case, assignee=world.alice)
        assert exc.value.code == ErrorCode.NOT_AUTHENTICATED
    assert snapshot(case) == before


def test_an_assignment_writes_its_timeline_events_in_one_insert_in_order(world):
    case = make_case()
    with CaptureQueriesContext(connection) as queries:
        case_assign(actor=Actor.staff(world.carol), case=case, assignee=world.alice)

    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "cases_caseevent"')]
    assert len(inserts) == 1
    assigned, moved = CaseEvent.objects.filter(case=case).order_by("created_at", "id")[1:]
    assert (assigned.kind, moved.kind) == (EventKind.ASSIGNED, EventKind.TRANSITION)
    assert assigned.pk < moved.pk and assigned.created_at <= moved.created_at
    assert moved.data == {"from": "new", "to": "assigned", "action": "assign"}
    assert moved.is_public and not assigned.is_public
