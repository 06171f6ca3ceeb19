import pytest

from tingsu.api.tests.conftest import assert_error
from tingsu.audit.models import AuditEntry
from tingsu.cases.models import EventKind
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db


def test_it_transfers_a_case_to_another_department_with_a_reason(api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    response = api_as(world.alice).post(
        f"/complaints/{case.number}/transfer",
        {"department": "logistics", "reason": "快递破损，需物流部处理"},
    )
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["department"]["code"] == "logistics" and out["assignee"] is None
    event = case.events.get(kind=EventKind.TRANSFERRED)
    assert event.body == "快递破损，需物流部处理"
    assert AuditEntry.objects.filter(action="case.transfer").exists()
    # Now outside alice's scope, inside dave's.
    assert_error(api_as(world.alice).get(f"/complaints/{case.number}"), 404, "not_found")
    assert api_as(world.dave).get(f"/complaints/{case.number}").status_code == 200


def test_it_requires_a_reason(api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    response = api_as(world.alice).post(
        f"/complaints/{case.number}/transfer", {"department": "logistics", "reason": ""}
    )
    assert_error(response, 422, "validation_error")
    case.refresh_from_db()
    assert case.department == world.service


def test_it_rejects_an_unknown_department(api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    response = api_as(world.alice).post(
        f"/complaints/{case.number}/transfer", {"department": "nope", "reason": "试试"}
    )
    body = assert_error(response, 422, "validation_error")
    assert "department" in body["detail"]


def test_it_rejects_a_case_outside_the_keys_scope_as_not_found(api_as, world):
    case = make_case(category=world.category)
    response = api_as(world.dave).post(
        f"/complaints/{case.number}/transfer", {"department": "logistics", "reason": "抢单"}
    )
    assert_error(response, 404, "not_found")
    case.refresh_from_db()
    assert case.department == world.service
