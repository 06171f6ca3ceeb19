"""POST /channels/phone/cti: calls from the CTI vendor, signed with HMAC-SHA256."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Case, CaseEvent, Channel, EventKind, Status
from tingsu.channels.models import InboundRecord
from tingsu.channels.phone.models import CallbackStatus, CallbackTask
from tingsu.channels.phone.tests.conftest import call_payload
from tingsu.core.testing import make_case, make_customer
from tingsu.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_a_call_with_a_transcript_becomes_a_phone_case_assigned_to_the_agent(world, post_cti):
    response = post_cti(call_payload(agent="alice"))

    assert response.status_code == 200
    body = response.json()
    case = Case.objects.select_related("customer").get()
    assert body == {
        "call_id": "call-0001",
        "outcome": "created",
        "case_number": case.number,
        "callback_id": None,
        "reason": "",
        "duplicate": False,
    }
    assert case.channel == Channel.PHONE
    assert case.customer.phone == "+8613812345678"
    assert case.assignee == world.alice and case.status == Status.ASSIGNED
    created = CaseEvent.objects.get(case=case, kind=EventKind.CREATED)
    assert created.body == "你们的快递把我买的杯子摔碎了，我要求退款。"
    assert created.data["channel"] == "phone" and created.data["external_id"] == "call-0001"
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ASSIGNED, author=world.alice).exists()
    assert AuditEntry.objects.filter(action="case.create", object_id=str(case.pk)).exists()
    assert AuditEntry.objects.filter(action="case.assign", object_id=str(case.pk)).exists()
    record = InboundRecord.objects.get(channel="phone", external_id="call-0001")
    assert record.case == case
    assert record.meta["recording_url"] == "https://cti.example.com/rec/0001.mp3"
    assert record.meta["called"] == "+864008208820"
    assert record.meta["duration_seconds"] == 185


def test_a_known_caller_written_differently_is_the_same_customer(world, post_cti):
    known = make_customer(name="周杰", phone="13812345678")  # stored before canonical numbers
    post_cti(call_payload(caller="138-1234-5678"))
    case = Case.objects.get()
    assert case.customer == known
    assert Customer.objects.count() == 1


def test_a_transcript_about_the_same_matter_joins_the_callers_open_case(world, post_cti):
    customer = make_customer(phone="+8613812345678")
    open_case = make_case(
        customer=customer,
        subject="快递把杯子摔碎了",
        description="你们的快递把我买的杯子摔碎了，我要求退款。",
    )
    response = post_cti(call_payload(transcript="你们的快递把我买的杯子摔碎了，我要求退款！"))
    assert response.json()["outcome"] == "appended"
    assert response.json()["case_number"] == open_case.number
    message = CaseEvent.objects.get(case=open_case, kind=EventKind.MESSAGE)
    assert message.data["threaded_by"] == "same_matter"
    assert Case.objects.count() == 1


def test_an_unknown_agent_leaves_the_case_unassigned(world, post_cti):
    response = post_cti(call_payload(agent="nobody"))
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.assignee is None and case.status == Status.NEW


def test_a_call_without_a_transcript_becomes_a_callback_task(world, post_cti):
    known = make_customer(phone="+8613812345678")
    response = post_cti(call_payload(transcript=None, agent="bob"))

    assert response.status_code == 200
    task = CallbackTask.objects.get()
    assert response.json() == {
        "call_id": "call-0001",
        "outcome": "callback",
        "case_number": "",
        "callback_id": task.pk,
        "reason": "",
        "duplicate": False,
    }
    assert task.caller == "+8613812345678" and task.called == "+864008208820"
    assert task.customer == known
    assert task.assignee == world.bob and task.department == world.service
    assert task.status == CallbackStatus.OPEN
    assert task.started_at == datetime(2025, 3, 1, 1, 30, tzinfo=UTC)
    assert task.due_at == task.started_at + timedelta(hours=2)
    assert not Case.objects.exists()
    audit = AuditEntry.objects.get(action="callback.create")
    assert audit.object_id == str(task.pk) and audit.actor_label == "cti"


def test_a_callback_for_an_unknown_caller_has_no_customer_yet(world, post_cti):
    post_cti(call_payload(transcript=None, caller="139 0000 1111"))
    task = CallbackTask.objects.get()
    assert task.customer is None and task.assignee is None and task.department is None
    assert not Customer.objects.exists()


def test_a_repeated_call_with_a_transcript_answers_the_same_and_creates_nothing(world, post_cti):
    first = post_cti(call_payload(agent="alice")).json()
    again = post_cti(call_payload(agent="alice"))
    assert again.status_code == 200
    assert again.json() == {**first, "duplicate": True}
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(kind=EventKind.CREATED).count() == 1
    assert InboundRecord.objects.count() == 1
    assert AuditEntry.objects.filter(action="case.create").count() == 1


def test_a_repeated_call_without_a_transcript_answers_the_same_task(world, post_cti):
    first = post_cti(call_payload(transcript=None)).json()
    again = post_cti(call_payload(transcript=None))
    assert again.status_code == 200
    assert again.json() == {**first, "duplicate": True}
    assert CallbackTask.objects.count() == 1
    assert AuditEntry.objects.filter(action="callback.create").count() == 1


def test_a_transcript_that_arrives_later_turns_the_callback_into_a_case(world, post_cti):
    post_cti(call_payload(transcript=None))
    response = post_cti(call_payload())
    case = Case.objects.get()
    assert response.json()["outcome"] == "created"
    task = CallbackTask.objects.get()
    assert task.status == CallbackStatus.DONE and task.case == case
    assert AuditEntry.objects.filter(action="callback.done", object_id=str(task.pk)).exists()
    # And a late repeat without the transcript now answers with the case.
    again = post_cti(call_payload(transcript=None)).json()
    assert again["callback_id"] == task.pk and again["duplicate"] is True


def test_it_rejects_a_wrong_signature(world, post_cti):
    response = post_cti(call_payload(), secret="not-the-secret")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert set(response.json()) == {"code", "message", "detail"}
    assert not InboundRecord.objects.exists() and not Case.objects.exists()


def test_it_rejects_a_stale_timestamp_as_a_replay(world, post_cti):
    response = post_cti(call_payload(), timestamp=int(time.time()) - 301)
    assert response.status_code == 401
    assert not Case.objects.exists()


def test_it_rejects_a_request_without_signature_headers(world, post_cti):
    response = post_cti(call_payload(), headers={})
    assert response.status_code == 401
    assert not Case.objects.exists()


def test_it_rejects_a_body_changed_after_signing(world, post_cti, client, cti_secret):
    from tingsu.channels.phone.signing import signed_headers
    from tingsu.channels.phone.tests.conftest import CTI_URL, django_headers

    headers = signed_headers(cti_secret, b'{"call_id": "a"}')
    response = client.post(
        CTI_URL,
        data=b'{"call_id": "b"}',
        content_type="application/json",
        **django_headers(headers),
    )
    assert response.status_code == 401


def test_the_endpoint_does_not_exist_without_a_secret(world, client, settings):
    settings.TINGSU = {**settings.TINGSU, "CTI_SECRET": ""}
    response = client.post("/channels/phone/cti", data=b"{}", content_type="application/json")
    assert response.status_code == 404


def test_it_rejects_get(world, client, cti_secret):
    assert client.get("/channels/phone/cti").status_code == 405


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"text"', b"\xff\xfe", b""])
def test_it_rejects_a_body_that_is_not_a_json_object(world, post_cti, body):
    response = post_cti(None, body=body)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_it_rejects_missing_fields_naming_each(world, post_cti):
    response = post_cti({"call_id": "c-9", "transcript": "hi"})
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "validation_error"
    assert set(data["detail"]) == {"caller", "called", "started_at", "duration_seconds"}
    assert not InboundRecord.objects.exists()


def test_it_rejects_a_bad_time_and_a_bad_recording_url(world, post_cti):
    response = post_cti(call_payload(started_at="tomorrow", recording_url="file:///etc/passwd"))
    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"started_at", "recording_url"}
