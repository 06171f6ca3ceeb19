import pytest

from tingsu.accounts.models import ApiKeyScope
from tingsu.api.tests.conftest import assert_error
from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Case, Channel, EventKind
from tingsu.core.testing import make_customer
from tingsu.customers.models import Customer

pytestmark = pytest.mark.django_db

INTAKE = [ApiKeyScope.INTAKE]


def complaint(**kw):
    body = {
        "customer": {"name": "王芳", "phone": "138-0000-2222", "email": "wf@example.com"},
        "subject": "杯子碎了",
        "description": "今天收到快递，杯子碎成两半。",
        "category": "quality",
        "severity": "urgent",
        "order_number": "JD123456",
        "tags": ["破损", "物流"],
        "custom_fields": {"store": "上海徐汇店", "amount": 59.9},
    }
    body.update(kw)
    return body


def test_it_files_a_complaint_through_the_api(api_as, world, settings):
    settings.TINGSU = {**settings.TINGSU, "SITE_URL": "https://ts.example.com/"}
    response = api_as(None, scopes=INTAKE).post("/complaints", complaint())
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(number=body["number"])
    assert body["status"] == "new"
    assert body["token"] == case.access_token()
    assert body["tracking_url"] == (
        f"https://ts.example.com/portal/track/{case.number}/?t={case.access_token()}"
    )
    assert case.channel == Channel.API
    assert case.category == world.category and case.department == world.service
    assert case.severity == "urgent" and case.order_number == "JD123456"
    assert set(case.tags.values_list("name", flat=True)) == {"破损", "物流"}
    assert case.custom_fields == {"store": "上海徐汇店", "amount": 59.9}
    assert case.customer.phone == "+8613800002222"
    event = case.events.get()
    assert event.kind == EventKind.CREATED and event.is_public
    audit = AuditEntry.objects.get(action="case.create")
    assert audit.changes["number"] == case.number
    assert audit.actor_label.startswith(f"customer:{case.customer_id} via api-key:")


def test_it_finds_the_existing_customer_by_phone(api_as, world):
    customer = make_customer(phone="13800002222")
    response = api_as(None, scopes=INTAKE).post("/complaints", complaint())
    assert response.status_code == 201
    assert Case.objects.get().customer == customer


def test_it_returns_the_same_case_for_a_repeated_idempotency_key(api_as, world):
    api = api_as(None, scopes=INTAKE)
    first = api.post("/complaints", complaint(), headers={"Idempotency-Key": "order-1"})
    again = api.post("/complaints", complaint(), headers={"Idempotency-Key": "order-1"})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json() == again.json()
    assert Case.objects.count() == 1


def test_it_keeps_idempotency_keys_of_different_api_keys_apart(api_as, world):
    headers = {"Idempotency-Key": "order-1"}
    mine = api_as(None, scopes=INTAKE).post("/complaints", complaint(), headers=headers)
    theirs = api_as(None, scopes=INTAKE).post("/complaints", complaint(), headers=headers)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["number"] != theirs.json()["number"]


def test_it_rejects_a_complaint_without_any_contact(api_as, world):
    body = complaint(customer={"name": "无名"})
    response = api_as(None, scopes=INTAKE).post("/complaints", body)
    assert_error(response, 422, "validation_error")
    assert Case.objects.count() == 0 and Customer.objects.count() == 0


def test_it_rejects_an_unknown_category_and_saves_nothing(api_as, world):
    response = api_as(None, scopes=INTAKE).post("/complaints", complaint(category="nope"))
    body = assert_error(response, 422, "validation_error")
    assert list(body["detail"]) == ["category"]
    assert Case.objects.count() == 0 and Customer.objects.count() == 0


def test_it_rejects_an_overlong_description(api_as, world):
    response = api_as(None, scopes=INTAKE).post("/complaints", complaint(description="很" * 20_001))
    assert_error(response, 422, "validation_error")
    assert Case.objects.count() == 0


def test_it_rejects_a_blank_description_with_a_field_map(api_as, world):
    response = api_as(None, scopes=INTAKE).post("/complaints", complaint(description="   "))
    body = assert_error(response, 422, "validation_error")
    assert "description" in body["detail"]
    assert Case.objects.count() == 0 and Customer.objects.count() == 0


def test_it_rejects_an_invalid_email(api_as, world):
    body = complaint(customer={"name": "王芳", "email": "not-an-email"})
    assert_error(api_as(None, scopes=INTAKE).post("/complaints", body), 422, "validation_error")


def test_it_rejects_a_key_without_the_intake_scope(api_as, world):
    response = api_as(world.alice, scopes=[ApiKeyScope.READ]).post("/complaints", complaint())
    assert_error(response, 403, "permission_denied")
    assert Case.objects.count() == 0
