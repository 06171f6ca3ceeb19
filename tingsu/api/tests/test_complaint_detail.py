import pytest

from tingsu.api.tests.conftest import assert_error
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db


def test_it_shows_a_case_in_scope(api_as, world):
    case = make_case(category=world.category, assignee=world.alice, order_number="JD1")
    response = api_as(world.alice).get(f"/complaints/{case.number}")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == case.number and body["status"] == "assigned"
    assert body["category"]["code"] == "quality"
    assert body["department"] == {"code": "service", "name": "客服中心"}
    assert body["assignee"] == {"username": "alice", "display_name": "Alice"}
    assert body["customer"]["name"] == case.customer.name
    assert "resolve" in body["available_actions"]


def test_it_rejects_a_case_outside_the_keys_scope_as_not_found(api_as, world):
    case = make_case(category=world.category)
    assert_error(api_as(world.dave).get(f"/complaints/{case.number}"), 404, "not_found")


def test_it_rejects_another_agents_case_as_not_found(api_as, world):
    case = make_case(assignee=world.bob)
    assert_error(api_as(world.alice).get(f"/complaints/{case.number}"), 404, "not_found")


def test_it_rejects_an_unknown_number_as_not_found(api_as, world):
    assert_error(api_as(world.root).get("/complaints/TS20000101999999"), 404, "not_found")
