"""POST /channels/sms/inbound: customers' texts, signed with HMAC-SHA256."""

import time

import pytest

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import AuthorType, Case, CaseEvent, Channel, EventKind, Status
from tingsu.channels.models import InboundRecord
from tingsu.channels.sms.tests.conftest import sms_payload
from tingsu.core.testing import make_case, make_customer
from tingsu.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_a_first_sms_becomes_an_sms_case_for_a_new_customer(world, post_sms):
    response = post_sms(sms_payload())
    assert response.status_code == 200
    case = Case.objects.select_related("customer").get()
    assert response.json() == {
        "message_id": "sms-0001",
        "outcome": "created",
        "case_number": case.number,
        "reason": "",
        "duplicate": False,
    }
    assert case.channel == Channel.SMS and case.status == Status.NEW
    assert case.customer.phone == "+8613812345678"
    event = CaseEvent.objects.get(case=case, kind=EventKind.CREATED)
    assert event.body == "我买的电饭煲用了三天就坏了，要求换货。"
    assert event.author_type == AuthorType.CUSTOMER
    assert AuditEntry.objects.filter(action="case.create", object_id=str(case.pk)).exists()
    record = InboundRecord.objects.get(channel="sms", external_id="sms-0001")
    assert record.case == case and record.meta["to"] == "106900001234"


def test_a_short_sms_is_appended_to_the_customers_open_case(world, post_sms):
    customer = make_customer(phone="13812345678")  # stored before canonical numbers
    case = make_case(customer=customer, assignee=world.alice)
    response = post_sms(sms_payload(text="还没处理吗？", **{"from": "138-1234-5678"}))

    assert response.json()["outcome"] == "appended"
    assert response.json()["case_number"] == case.number
    message = CaseEvent.objects.get(case=case, kind=EventKind.MESSAGE)
    assert message.body == "还没处理吗？" and message.author_type == AuthorType.CUSTOMER
    assert message.data["threaded_by"] == "case_number"
    assert message.data["channel"] == "sms"
    assert AuditEntry.objects.filter(action="case.message", object_id=str(case.pk)).exists()
    assert Case.objects.count() == 1 and Customer.objects.count() == 1


def test_of_two_open_cases_the_most_recently_active_gets_the_sms(world, post_sms):
    customer = make_customer(phone="+8613812345678")
    older = make_case(customer=customer, subject="第一件事")
    newer = make_case(customer=customer, subject="第二件事")
    Case.objects.filter(pk=newer.pk).update(updated_at=older.updated_at.replace(year=2000))
    response = post_sms(sms_payload(text="怎么样了"))
    assert response.json()["case_number"] == older.number
    assert CaseEvent.objects.filter(case=older, kind=EventKind.MESSAGE).count() == 1
    assert not CaseEvent.objects.filter(case=newer, kind=EventKind.MESSAGE).exists()


def test_an_sms_after_the_case_was_resolved_starts_a_new_case(world, post_sms):
    customer = make_customer(phone="+8613812345678")
    old = make_case(customer=customer, status=Status.CLOSED)
    response = post_sms(sms_payload(text="又坏了"))
    assert response.json()["outcome"] == "created"
    assert response.json()["case_number"] != old.number
    assert Case.objects.filter(customer=customer).count() == 2


def test_a_repeated_sms_answers_the_same_and_is_recorded_once(world, post_sms):
    customer = make_customer(phone="+8613812345678")
    case = make_case(customer=customer)
    first = post_sms(sms_payload(text="还没处理吗？")).json()
    again = post_sms(sms_payload(text="还没处理吗？"))
    assert again.status_code == 200
    assert again.json() == {**first, "duplicate": True}
    assert CaseEvent.objects.filter(case=case, kind=EventKind.MESSAGE).count() == 1
    assert InboundRecord.objects.count() == 1


def test_it_rejects_a_wrong_signature(world, post_sms):
    response = post_sms(sms_payload(), secret="wrong")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert not InboundRecord.objects.exists()


def test_it_rejects_a_replayed_request(world, post_sms):
    response = post_sms(sms_payload(), timestamp=int(time.time()) - 600)
    assert response.status_code == 401
    assert not Case.objects.exists()


def test_the_endpoint_does_not_exist_without_a_secret(world, client, settings):
    settings.TINGSU = {**settings.TINGSU, "SMS_SECRET": ""}
    response = client.post("/channels/sms/inbound", data=b"{}", content_type="application/json")
    assert response.status_code == 404


@pytest.mark.parametrize("body", [b"{", b"[]", b"null"])
def test_it_rejects_a_body_that_is_not_a_json_object(world, post_sms, body):
    response = post_sms(None, body=body)
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "detail"}


def test_it_rejects_missing_and_bad_fields(world, post_sms):
    response = post_sms({"message_id": "m-1", "from": "no number", "text": ""})
    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"from", "to", "text", "received_at"}
    assert not InboundRecord.objects.exists()
