import pytest
from django.urls import reverse

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Case, CaseEvent, EventKind, Status
from tingsu.core.testing import make_case
from tingsu.desk.tests.conftest import messages_of

pytestmark = pytest.mark.django_db

URL = reverse("desk:batch")


def results(response) -> dict[str, bool]:
    import re

    found = re.findall(r'data-number="([^"]+)" data-ok="([01])"', response.content.decode())
    return {number: ok == "1" for number, ok in found}


def test_it_closes_the_resolved_cases_and_reports_the_one_that_fails(world, login):
    resolved = [make_case(department=world.service, status=Status.RESOLVED) for _ in range(2)]
    in_progress = make_case(department=world.service, assignee=world.bob)
    numbers = [c.number for c in [*resolved, in_progress]]
    response = login(world.carol).post(URL, {"op": "close", "numbers": numbers})
    assert response.status_code == 200
    assert results(response) == {
        resolved[0].number: True,
        resolved[1].number: True,
        in_progress.number: False,
    }
    assert "cannot be moved" in response.content.decode()
    for case in resolved:
        assert Case.objects.get(pk=case.pk).status == Status.CLOSED
        assert CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).exists()
        assert AuditEntry.objects.filter(action="case.close", object_id=str(case.pk)).exists()
    assert Case.objects.get(pk=in_progress.pk).status == Status.ASSIGNED
    assert not AuditEntry.objects.filter(action="case.close", object_id=str(in_progress.pk))


def test_it_assigns_in_batch(world, login):
    cases = [make_case(department=world.service) for _ in range(2)]
    response = login(world.carol).post(
        URL, {"op": "assign", "assignee": world.bob.pk, "numbers": [c.number for c in cases]}
    )
    assert all(results(response).values())
    for case in cases:
        assert Case.objects.get(pk=case.pk).assignee == world.bob
        assert CaseEvent.objects.filter(case=case, kind=EventKind.ASSIGNED).exists()
        assert AuditEntry.objects.filter(action="case.assign", object_id=str(case.pk)).exists()


def test_it_transfers_in_batch_with_a_reason(world, login):
    case = make_case(department=world.service)
    response = login(world.carol).post(
        URL,
        {
            "op": "transfer",
            "department": world.logistics.pk,
            "reason": "物流问题",
            "numbers": [case.number],
        },
    )
    assert results(response) == {case.number: True}
    assert Case.objects.get(pk=case.pk).department == world.logistics
    event = CaseEvent.objects.get(case=case, kind=EventKind.TRANSFERRED)
    assert event.data["reason"] == "物流问题"
    assert AuditEntry.objects.filter(action="case.transfer", object_id=str(case.pk)).exists()


def test_it_adds_tags_and_keeps_the_existing_ones(world, login):
    case = make_case(department=world.service, tags=["旧"])
    response = login(world.carol).post(
        URL, {"op": "tag", "tags": "新, 加急，回访", "numbers": [case.number]}
    )
    assert results(response) == {case.number: True}
    assert sorted(case.tags.values_list("name", flat=True)) == sorted(["旧", "新", "加急", "回访"])
    assert CaseEvent.objects.filter(case=case, kind=EventKind.FIELD_CHANGED).exists()
    assert AuditEntry.objects.filter(action="case.update", object_id=str(case.pk)).exists()


def test_it_rejects_a_transfer_without_a_reason(world, login):
    case = make_case(department=world.service)
    response = login(world.carol).post(
        URL, {"op": "transfer", "department": world.logistics.pk, "numbers": [case.number]}
    )
    assert response.status_code == 302
    assert any("needed" in m for m in messages_of(response))
    assert Case.objects.get(pk=case.pk).department == world.service


def test_it_rejects_a_batch_with_no_case_selected(world, login):
    response = login(world.carol).post(URL, {"op": "close"})
    assert response.status_code == 302
    assert "Select at least one case." in messages_of(response)


def test_it_reports_cases_outside_the_scope_as_not_found(world, login):
    case = make_case(department=world.service, status=Status.RESOLVED)
    response = login(world.dave).post(URL, {"op": "close", "numbers": [case.number]})
    assert results(response) == {case.number: False}
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED


def test_it_refuses_a_batch_from_compliance(world, login):
    case = make_case(department=world.service, status=Status.RESOLVED)
    response = login(world.quinn).post(URL, {"op": "close", "numbers": [case.number]})
    assert results(response) == {case.number: False}
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED


def test_it_refuses_a_get(world, login):
    assert login(world.carol).get(URL).status_code == 405
