import pytest

from tingsu.api.tests.conftest import assert_error
from tingsu.audit.models import AuditEntry
from tingsu.cases.models import CaseEvent, EventKind, Status
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db


def test_it_posts_a_public_reply(api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    response = api_as(world.alice).post(f"/complaints/{case.number}/messages", {"body": "您好"})
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["kind"] == "message" and out["is_public"] and out["author_name"] == "Alice"
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and case.first_response_at is not None
    event = CaseEvent.objects.get(pk=out["id"])
    assert event.body == "您好" and event.author == world.alice
    assert AuditEntry.objects.filter(action="case.message", changes__event=event.pk).exists()


def test_it_adds_an_internal_note(api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    response = api_as(world.alice).post(
        f"/complaints/{case.number}/messages", {"body": "请物流部核实", "internal": True}
    )
    assert response.status_code == 201
    out = response.json()
    assert out["kind"] == "note" and not out["is_public"]
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED and case.first_response_at is None
    assert AuditEntry.objects.filter(action="case.note", changes__event=out["id"]).exists()


def test_it_rejects_an_empty_body(api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    response = api_as(world.alice).post(f"/complaints/{case.number}/messages", {"body": ""})
    assert_error(response, 422, "validation_error")
    assert not case.events.filter(kind=EventKind.MESSAGE).exists()


def test_it_refuses_a_message_on_a_closed_case(api_as, world):
    case = make_case(category=world.category, assignee=world.alice, status=Status.CLOSED)
    response = api_as(world.alice).post(f"/complaints/{case.number}/messages", {"body": "您好"})
    assert_error(response, 409, "invalid_transition")
    assert not case.events.filter(kind=EventKind.MESSAGE).exists()


def test_it_rejects_a_case_outside_the_keys_scope_as_not_found(api_as, world):
    case = make_case(category=world.category)
    response = api_as(world.dave).post(f"/complaints/{case.number}/messages", {"body": "越权"})
    assert_error(response, 404, "not_found")
    assert not case.events.filter(kind=EventKind.MESSAGE).exists()
