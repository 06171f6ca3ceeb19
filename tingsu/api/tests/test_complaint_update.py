import pytest

from tingsu.accounts.models import ApiKeyScope
from tingsu.api.tests.conftest import assert_error
from tingsu.audit.models import AuditEntry
from tingsu.cases.models import CaseEvent, EventKind, Status
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db


def test_it_changes_editable_fields_and_records_each_change(api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    body = {
        "subject": "杯子碎了，要求退款",
        "category": "quality-damaged",
        "severity": "major",
        "priority": 1,
        "tags": ["退款"],
        "order_number": "JD42",
    }
    response = api_as(world.alice).patch(f"/complaints/{case.number}", body)
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["subject"] == "杯子碎了，要求退款" and out["priority"] == 1
    assert out["category"]["code"] == "quality-damaged" and out["tags"] == ["退款"]
    case.refresh_from_db()
    assert case.severity == "major" and case.order_number == "JD42"
    changed = CaseEvent.objects.filter(case=case, kind=EventKind.FIELD_CHANGED)
    assert {e.data["field"] for e in changed} == set(body)
    audit = AuditEntry.objects.get(action="case.update")
    assert audit.changes["priority"] == {"old": 3, "new": 1}


@pytest.mark.parametrize(
    "field, value",
    [
        ("status", "closed"),
        ("assignee", "bob"),
        ("number", "TS1"),
        ("customer", 1),
        ("department", "logistics"),
        ("description", "改写描述"),
    ],
)
def test_it_refuses_a_field_that_is_not_editable(api_as, world, field, value):
    case = make_case(category=world.category, assignee=world.alice)
    response = api_as(world.alice).patch(
        f"/complaints/{case.number}", {"subject": "新标题", field: value}
    )
    body = assert_error(response, 422, "field_not_editable")
    assert list(body["detail"]) == [field]
    case.refresh_from_db()
    assert case.subject == "收到的杯子是碎的" and case.status == Status.ASSIGNED
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.FIELD_CHANGED).exists()
    assert not AuditEntry.objects.filter(action="case.update").exists()


def test_it_lists_every_refused_field(api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    response = api_as(world.alice).patch(
        f"/complaints/{case.number}", {"status": "closed", "assignee": "bob"}
    )
    body = assert_error(response, 422, "field_not_editable")
    assert sorted(body["detail"]) == ["assignee", "status"]


def test_it_rejects_an_unknown_category_code(api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    response = api_as(world.alice).patch(f"/complaints/{case.number}", {"category": "nope"})
    body = assert_error(response, 422, "validation_error")
    assert "category" in body["detail"]
    case.refresh_from_db()
    assert case.category == world.category


def test_it_rejects_a_null_subject(api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    response = api_as(world.alice).patch(f"/complaints/{case.number}", {"subject": None})
    assert_error(response, 422, "validation_error")


def test_it_clears_the_category_with_null(api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    response = api_as(world.alice).patch(f"/complaints/{case.number}", {"category": None})
    assert response.status_code == 200 and response.json()["category"] is None


def test_it_rejects_a_case_outside_the_keys_scope_as_not_found(api_as, world):
    case = make_case(category=world.category)
    response = api_as(world.dave).patch(f"/complaints/{case.number}", {"subject": "偷改"})
    assert_error(response, 404, "not_found")
    case.refresh_from_db()
    assert case.subject == "收到的杯子是碎的"


def test_it_rejects_a_key_without_the_write_scope(api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    api = api_as(world.alice, scopes=[ApiKeyScope.READ])
    assert_error(
        api.patch(f"/complaints/{case.number}", {"subject": "新"}), 403, "permission_denied"
    )


def test_it_rejects_a_compliance_officer(api_as, world):
    case = make_case(category=world.category)
    response = api_as(world.quinn).patch(f"/complaints/{case.number}", {"subject": "新"})
    assert_error(response, 403, "permission_denied")
