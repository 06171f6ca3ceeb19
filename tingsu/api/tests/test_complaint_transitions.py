import pytest

from tingsu.api.tests.conftest import assert_error
from tingsu.audit.models import AuditEntry
from tingsu.cases.models import EventKind, Status
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db

RESOLVE = {
    "action": "resolve",
    "resolution_code": "refund",
    "root_cause": "packaging",
    "summary": "已全额退款并补发。",
}


def test_it_resolves_with_code_root_cause_and_summary(api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    response = api_as(world.alice).post(f"/complaints/{case.number}/transitions", RESOLVE)
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["status"] == "resolved" and out["resolution_code"] == "refund"
    assert out["root_cause"] == "packaging" and out["resolution_summary"] == "已全额退款并补发。"
    event = case.events.filter(kind=EventKind.TRANSITION).last()
    assert event.data["to"] == "resolved" and event.is_public
    assert AuditEntry.objects.filter(action="case.resolve").exists()


def test_it_requires_the_resolution_fields(api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    response = api_as(world.alice).post(
        f"/complaints/{case.number}/transitions", {"action": "resolve"}
    )
    body = assert_error(response, 422, "validation_error")
    assert set(body["detail"]) == {"resolution_code", "root_cause", "summary"}
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED


def test_it_rejects_an_unknown_resolution_code(api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    response = api_as(world.alice).post(
        f"/complaints/{case.number}/transitions", {**RESOLVE, "resolution_code": "nope"}
    )
    body = assert_error(response, 422, "validation_error")
    assert "resolution_code" in body["detail"]


def test_it_refuses_an_illegal_transition_and_changes_nothing(api_as, world):
    case = make_case(category=world.category)
    events = case.events.count()
    response = api_as(world.alice).post(
        f"/complaints/{case.number}/transitions", {"action": "close"}
    )
    body = assert_error(response, 409, "invalid_transition")
    assert body["detail"]["allowed_from"] == ["resolved"]
    case.refresh_from_db()
    assert case.status == Status.NEW and case.events.count() == events
    assert not AuditEntry.objects.filter(action="case.close").exists()


def test_it_rejects_an_unknown_action(api_as, world):
    case = make_case(category=world.category)
    response = api_as(world.alice).post(
        f"/complaints/{case.number}/transitions", {"action": "teleport"}
    )
    assert_error(response, 422, "validation_error")


def test_it_rejects_a_case_outside_the_keys_scope_as_not_found(api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    response = api_as(world.dave).post(f"/complaints/{case.number}/transitions", RESOLVE)
    assert_error(response, 404, "not_found")
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED
