"""Must-show 5: a customer or an agent sets fields beyond their role (status, assignee,
department, SLA, created_at, customer). Refused with the JSON error shape, nothing changed."""

import pytest

from tests.security.conftest import assert_error
from tingsu.cases.models import Case, CaseEvent
from tingsu.core.testing import make_case, make_customer

pytestmark = pytest.mark.django_db

FORBIDDEN = {
    "status": "closed",
    "assignee": "dave",
    "department": "logistics",
    "sla": None,
    "sla_policy": 1,
    "created_at": "2020-01-01T00:00:00Z",
    "customer": 1,
    "number": "TS20200101000001",
}


@pytest.fixture
def case(world):
    return make_case(department=world.service, assignee=world.alice, category=world.category)


def snapshot(case: Case) -> dict:
    row = Case.objects.get(pk=case.pk)
    fields = ["status", "assignee_id", "department_id", "customer_id", "created_at", "number"]
    return {
        **{f: getattr(row, f) for f in fields},
        "severity": row.severity,
        "subject": row.subject,
        "events": CaseEvent.objects.filter(case=case).count(),
    }


@pytest.mark.parametrize("field", sorted(FORBIDDEN))
def test_an_agent_cannot_patch_a_protected_field_through_the_api(world, api_as, case, field):
    before = snapshot(case)
    response = api_as(world.alice).patch(
        f"/complaints/{case.number}", {"subject": "改了", field: FORBIDDEN[field]}
    )
    body = assert_error(response, 422, "field_not_editable")
    assert field in str(body["detail"])
    assert snapshot(case) == before  # not even the allowed subject was written


def test_a_customer_cannot_set_fields_through_the_portal_api(world, client, case):
    before = snapshot(case)
    url = f"/api/v1/portal/complaints/{case.number}/messages?token={case.access_token()}"
    for field, value in FORBIDDEN.items():
        response = client.post(url, {"body": "补充", field: value}, content_type="application/json")
        assert response.status_code == 422, (field, response.content)
        assert set(response.json()) == {"code", "message", "detail"}
    patch = client.patch(
        f"/api/v1/portal/complaints/{case.number}?token={case.access_token()}",
        {"status": "closed"},
        content_type="application/json",
    )
    assert patch.status_code in (404, 405)
    assert snapshot(case) == before


def test_a_customer_token_is_no_key_for_the_staff_api(world, client, case):
    before = snapshot(case)
    response = client.patch(
        f"/api/v1/complaints/{case.number}",
        {"status": "closed"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {case.access_token()}"},
    )
    assert_error(response, 401, "not_authenticated")
    assert snapshot(case) == before


def test_an_agent_cannot_assign_a_case_to_someone_else(world, api_as, case):
    before = snapshot(case)
    response = api_as(world.alice).post(
        f"/complaints/{case.number}/assignment", {"assignee": "bob"}
    )
    assert_error(response, 403, "permission_denied")
    assert snapshot(case) == before


def test_an_agent_cannot_take_another_departments_case(world, api_as):
    other = make_case(department=world.logistics)
    before = snapshot(other)
    response = api_as(world.alice).post(
        f"/complaints/{other.number}/assignment", {"assignee": "alice"}
    )
    assert_error(response, 404, "not_found")
    assert snapshot(other) == before


def test_compliance_cannot_change_anything(world, api_as, case):
    before = snapshot(case)
    client = api_as(world.quinn)
    assert_error(
        client.patch(f"/complaints/{case.number}", {"severity": "major"}), 403, "permission_denied"
    )
    assert_error(
        client.post(f"/complaints/{case.number}/messages", {"body": "x"}),
        403,
        "permission_denied",
    )
    assert snapshot(case) == before


def test_a_read_only_key_cannot_patch(world, api_as, case):
    before = snapshot(case)
    response = api_as(world.alice, scopes=["read"]).patch(
        f"/complaints/{case.number}", {"severity": "major"}
    )
    assert response.status_code == 403
    assert snapshot(case) == before


def test_intake_cannot_choose_status_assignee_or_customer(world, api_as):
    someone = make_customer()
    payload = {
        "subject": "杯子碎了",
        "description": "今天收到快递，杯子碎成两半。",
        "customer": {"name": "王芳", "email": "wf@example.com"},
    }
    client = api_as(None, scopes=["intake"])
    for field, value in [("status", "closed"), ("assignee", "dave"), ("customer_id", someone.pk)]:
        response = client.post("/complaints", {**payload, field: value})
        assert response.status_code == 422, (field, response.content)
    assert not Case.objects.exists()


def test_desk_forms_ignore_fields_the_form_does_not_offer(world, client, case):
    before = snapshot(case)
    client.force_login(world.alice)
    response = client.post(
        f"/desk/cases/{case.number}/fields/",
        {
            "severity": before["severity"],
            "priority": "3",
            "status": "closed",
            "assignee": world.dave.pk,
            "department": world.logistics.pk,
            "customer": make_customer().pk,
            "created_at": "2020-01-01",
        },
    )
    assert response.status_code in (200, 302)
    after = snapshot(case)
    for field in ("status", "assignee_id", "department_id", "customer_id", "created_at"):
        assert after[field] == before[field], field


def test_an_agent_cannot_reassign_through_the_desk(world, client, case):
    before = snapshot(case)
    client.force_login(world.alice)
    response = client.post(f"/desk/cases/{case.number}/assign/", {"assignee": world.bob.pk})
    assert response.status_code in (403, 422)
    assert snapshot(case)["assignee_id"] == before["assignee_id"]
