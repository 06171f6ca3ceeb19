import pytest

from tingsu.accounts.models import ApiKeyScope
from tingsu.api.tests.conftest import assert_error
from tingsu.cases.models import Severity, Status
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db


def numbers(response):
    assert response.status_code == 200, response.content
    return {c["number"] for c in response.json()["items"]}


def test_it_lists_only_cases_in_the_keys_data_scope(api_as, world):
    unassigned = make_case(category=world.category)
    mine = make_case(assignee=world.alice)
    bobs = make_case(assignee=world.bob)
    logistics = make_case(department=world.logistics)
    assert numbers(api_as(world.alice).get("/complaints")) == {unassigned.number, mine.number}
    assert numbers(api_as(world.dave).get("/complaints")) == {logistics.number}
    assert numbers(api_as(world.carol).get("/complaints")) == {
        unassigned.number,
        mine.number,
        bobs.number,
    }


def test_it_filters_by_status_severity_category_and_text(api_as, world):
    urgent = make_case(category=world.subcategory, severity=Severity.URGENT, subject="屏幕碎裂")
    waiting = make_case(assignee=world.alice, status=Status.WAITING_CUSTOMER)
    api = api_as(world.root)
    assert numbers(api.get("/complaints", {"status": ["waiting_customer"]})) == {waiting.number}
    assert numbers(api.get("/complaints", {"severity": "urgent"})) == {urgent.number}
    assert numbers(api.get("/complaints", {"category": "quality"})) == {urgent.number}
    assert numbers(api.get("/complaints", {"q": "屏幕"})) == {urgent.number}
    assert numbers(api.get("/complaints", {"channel": "api"})) == set()
    assert numbers(api.get("/complaints", {"date_from": "2000-01-01"})) == {
        urgent.number,
        waiting.number,
    }
    assert numbers(api.get("/complaints", {"date_to": "2000-01-01"})) == set()


def test_it_paginates_with_a_total_count(api_as, world):
    cases = [make_case(category=world.category) for _ in range(5)]
    response = api_as(world.root).get("/complaints", {"limit": 2, "offset": 1, "sort": "oldest"})
    body = response.json()
    assert body["count"] == 5 and body["limit"] == 2 and body["offset"] == 1
    assert body["count_capped"] is False
    assert [c["number"] for c in body["items"]] == [cases[1].number, cases[2].number]


def test_it_stops_counting_past_the_cap(api_as, world, settings):
    settings.TINGSU_LIST_COUNT_CAP = 2
    cases = [make_case(category=world.category) for _ in range(5)]
    api = api_as(world.root)
    body = api.get("/complaints", {"limit": 2, "offset": 1, "sort": "oldest"}).json()
    # Counting stops two rows past the offset: at least 3 match, and more than that.
    assert body["count"] == 3 and body["count_capped"] is True
    assert [c["number"] for c in body["items"]] == [cases[1].number, cases[2].number]
    body = api.get("/complaints", {"limit": 2, "offset": 3, "sort": "oldest"}).json()
    assert body["count"] == 5 and body["count_capped"] is False


def test_the_schema_documents_the_capped_count(client):
    schema = client.get("/api/v1/openapi.json").json()
    page = schema["components"]["schemas"]["CasePage"]
    assert "count_capped" in page["required"]
    assert "lower bound" in page["properties"]["count"]["description"]


def test_it_rejects_a_limit_above_one_hundred(api_as, world):
    assert_error(api_as(world.root).get("/complaints", {"limit": 101}), 422, "validation_error")


def test_it_rejects_a_key_without_the_read_scope(api_as, world):
    api = api_as(world.root, scopes=[ApiKeyScope.INTAKE, ApiKeyScope.WRITE])
    assert_error(api.get("/complaints"), 403, "permission_denied")


@pytest.mark.parametrize("count", [2, 8])
def test_its_query_count_does_not_grow_with_the_page(
    api_as, world, django_assert_num_queries, count
):
    for i in range(count):
        case = make_case(category=world.subcategory, assignee=world.alice, tags=[f"标签{i}"])
    api = api_as(world.root)
    # configuration version, key lookup (then cached per process), last_used_at, page,
    # tags, count
    with django_assert_num_queries(6):
        response = api.get("/complaints")
    items = response.json()["items"]
    assert len(items) == count
    assert items[0]["tags"] == [f"标签{count - 1}"] and items[0]["number"] == case.number
    assert items[0]["assignee"]["username"] == "alice"
