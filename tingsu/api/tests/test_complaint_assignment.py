import pytest

from tingsu.api.tests.conftest import assert_error
from tingsu.audit.models import AuditEntry
from tingsu.cases.models import EventKind, Status
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db


def test_a_supervisor_assigns_a_case_to_an_agent(api_as, world):
    case = make_case(category=world.category)
    response = api_as(world.carol).post(
        f"/complaints/{case.number}/assignment", {"assignee": "bob"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["assignee"]["username"] == "bob"
    assert response.json()["status"] == "assigned"
    event = case.events.get(kind=EventKind.ASSIGNED)
    assert event.data["to"] == world.bob.pk and event.author == world.carol
    assert AuditEntry.objects.filter(action="case.assign").exists()


def test_an_agent_takes_a_case_for_themselves(api_as, world):
    case = make_case(category=world.category)
    response = api_as(world.alice).post(
        f"/complaints/{case.number}/assignment", {"assignee": "alice"}
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.assignee == world.alice and case.status == Status.ASSIGNED


def test_it_refuses_an_agent_assigning_someone_else(api_as, world):
    case = make_case(category=world.category)
    response = api_as(world.alice).post(
        f"/complaints/{case.number}/assignment", {"assignee": "bob"}
    )
    assert_error(response, 403, "permission_denied")
    case.refresh_from_db()
    assert case.assignee is None


def test_it_rejects_an_unknown_assignee(api_as, world):
    case = make_case(category=world.category)
    response = api_as(world.carol).post(
        f"/complaints/{case.number}/assignment", {"assignee": "nobody"}
    )
    body = assert_error(response, 422, "validation_error")
    assert "assignee" in body["detail"]


def test_it_rejects_a_case_outside_the_keys_scope_as_not_found(api_as, world):
    case = make_case(category=world.category)
    response = api_as(world.dave).post(
        f"/complaints/{case.number}/assignment", {"assignee": "dave"}
    )
    assert_error(response, 404, "not_found")
    case.refresh_from_db()
    assert case.assignee is None
