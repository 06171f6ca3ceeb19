"""Batch actions: one result per case, each case on its own."""

import pytest

from tingsu.audit.models import AuditEntry
from tingsu.cases.batch import MAX_BATCH, BatchOp, case_batch
from tingsu.cases.models import Case, CaseEvent, EventKind, Status
from tingsu.cases.services import Actor, case_transition
from tingsu.cases.workflow import Action
from tingsu.core.errors import ValidationFailed
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db


def resolved_case(world, **kw):
    case = make_case(department=world.service, status=Status.IN_PROGRESS, **kw)
    return case_transition(
        actor=Actor.staff(world.carol),
        case=case,
        action=Action.RESOLVE,
        resolution_code=world.resolution_code,
        root_cause=world.root_cause,
        summary="已处理",
    )


def test_one_failing_case_does_not_roll_back_the_others(world):
    first = resolved_case(world)
    still_open = make_case(department=world.service)
    last = resolved_case(world)
    results = case_batch(
        user=world.carol, numbers=[first.number, still_open.number, last.number], op=BatchOp.CLOSE
    )
    assert [(r.number, r.ok) for r in results] == [
        (first.number, True),
        (still_open.number, False),
        (last.number, True),
    ]
    assert results[1].message  # says why, in words
    statuses = dict(Case.objects.values_list("number", "status"))
    assert statuses[first.number] == statuses[last.number] == Status.CLOSED
    assert statuses[still_open.number] == Status.NEW
    for case in (first, last):
        event = CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).latest("id")
        assert event.data["to"] == "closed" and event.author == world.carol
    closes = AuditEntry.objects.filter(action="case.close")
    assert sorted(closes.values_list("object_id", flat=True)) == sorted(
        [str(first.pk), str(last.pk)]
    )
    assert not CaseEvent.objects.filter(case=still_open, kind=EventKind.TRANSITION).exists()


def test_a_case_outside_the_scope_reports_not_found_and_is_untouched(world):
    mine = make_case(department=world.service)
    theirs = make_case(department=world.logistics)
    events_before = CaseEvent.objects.filter(case=theirs).count()
    results = case_batch(
        user=world.carol,
        numbers=[mine.number, theirs.number, "TS20990101000001"],
        op=BatchOp.ASSIGN,
        assignee=world.bob,
    )
    assert [r.ok for r in results] == [True, False, False]
    assert results[1].message == results[2].message  # nothing tells the two apart
    assert Case.objects.get(pk=mine.pk).assignee == world.bob
    untouched = Case.objects.get(pk=theirs.pk)
    assert untouched.assignee is None and untouched.status == Status.NEW
    assert CaseEvent.objects.filter(case=theirs).count() == events_before
    assert not AuditEntry.objects.filter(action="case.assign", object_id=str(theirs.pk)).exists()
    assert AuditEntry.objects.filter(action="case.assign", object_id=str(mine.pk)).exists()


def test_it_transfers_tags_and_reports_each_case(world):
    a = make_case(department=world.service, tags=["物流"])
    b = make_case(department=world.service)
    tagged = case_batch(user=world.carol, numbers=[a.number, b.number], op=BatchOp.TAG, tags=["急"])
    assert all(r.ok for r in tagged)
    assert sorted(a.tags.values_list("name", flat=True)) == ["急", "物流"]
    assert list(b.tags.values_list("name", flat=True)) == ["急"]
    assert AuditEntry.objects.filter(action="case.update").count() == 2

    moved = case_batch(
        user=world.carol,
        numbers=[a.number, b.number],
        op=BatchOp.TRANSFER,
        department=world.logistics,
        reason="物流问题",
    )
    assert all(r.ok for r in moved)
    assert set(Case.objects.values_list("department", flat=True)) == {world.logistics.pk}
    assert CaseEvent.objects.filter(kind=EventKind.TRANSFERRED).count() == 2
    assert AuditEntry.objects.filter(action="case.transfer").count() == 2


def test_a_repeated_number_is_handled_once(world):
    case = resolved_case(world)
    results = case_batch(user=world.carol, numbers=[case.number, case.number], op=BatchOp.CLOSE)
    assert len(results) == 1 and results[0].ok


def test_a_missing_assignee_fails_every_case_with_a_message(world):
    case = make_case(department=world.service)
    results = case_batch(user=world.carol, numbers=[case.number], op=BatchOp.ASSIGN)
    assert not results[0].ok and results[0].message
    assert Case.objects.get(pk=case.pk).assignee is None


def test_it_refuses_an_unknown_operation_before_touching_anything(world):
    case = make_case(department=world.service)
    with pytest.raises(ValidationFailed) as exc:
        case_batch(user=world.carol, numbers=[case.number], op="delete")
    assert "op" in exc.value.detail


def test_cases_beyond_the_batch_limit_are_reported_not_silently_dropped(world):
    case = make_case(department=world.service)
    numbers = [case.number] + [f"TS20990101{i:06d}" for i in range(MAX_BATCH)]
    results = case_batch(user=world.carol, numbers=numbers, op=BatchOp.TAG, tags=["x"])
    assert len(results) == len(numbers)
    assert results[0].ok
    assert not results[-1].ok and results[-1].message != results[1].message


def test_a_compliance_officer_gets_a_failure_for_every_case(world):
    case = resolved_case(world)
    results = case_batch(user=world.quinn, numbers=[case.number], op=BatchOp.CLOSE)
    assert not results[0].ok
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED
