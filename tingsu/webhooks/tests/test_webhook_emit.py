from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import CaseEvent, EventKind, Status
from tingsu.cases.services import (
    Actor,
    case_assign,
    case_transfer,
    case_transition,
    case_update_fields,
)
from tingsu.cases.workflow import Action
from tingsu.channels.models import OutboxMessage, OutboxStatus
from tingsu.channels.outbox import outbox_deliver
from tingsu.core.testing import make_case
from tingsu.webhooks.models import WebhookEndpoint, WebhookEvent

ALL_EVENTS = [e.value for e in WebhookEvent]


@pytest.fixture
def endpoint(world, receiver, allow_local):
    endpoint = WebhookEndpoint.objects.create(name="ERP", url=receiver.url(), events=ALL_EVENTS)
    receiver.secret = endpoint.secret
    return endpoint


def _webhooks(event=None):
    rows = OutboxMessage.objects.filter(transport="webhook").order_by("id")
    return [m for m in rows if event is None or m.payload["event"] == event]


def _deliver_all():
    for message in _webhooks():
        outbox_deliver(message.pk)


def test_it_queues_one_message_per_active_subscribed_endpoint(world):
    subscribed = WebhookEndpoint.objects.create(
        name="ERP", url="https://93.184.215.14/", events=["case.created"]
    )
    WebhookEndpoint.objects.create(
        name="BI", url="https://93.184.215.14/", events=["case.resolved"]
    )
    WebhookEndpoint.objects.create(
        name="Old", url="https://93.184.215.14/", events=ALL_EVENTS, is_active=False
    )

    case = make_case()

    [message] = _webhooks()
    assert message.recipient == str(subscribed.pk)
    assert message.status == OutboxStatus.PENDING
    assert message.case_id == case.pk
    payload = message.payload
    assert payload["event"] == "case.created"
    assert set(payload) == {"id", "event", "occurred_at", "case"}
    assert payload["case"] == {
        "number": case.number,
        "status": "new",
        "severity": "normal",
        "priority": 3,
        "category": None,
        "department": None,
        "channel": "portal",
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "resolved_at": None,
    }
    assert message.idempotency_key == f"wh-{subscribed.pk}-{payload['id'].replace('-', '')}"


def test_nothing_is_queued_when_the_change_rolls_back(world, endpoint):
    case = make_case()
    before = len(_webhooks())
    with pytest.raises(RuntimeError), transaction.atomic():
        case_update_fields(actor=Actor.staff(world.alice), case=case, changes={"subject": "新"})
        raise RuntimeError("the change fails after the service ran")
    assert len(_webhooks()) == before


def test_created_updated_and_resolved_events_reach_the_receiver_signed(world, endpoint, receiver):
    actor = Actor.staff(world.carol)
    case = make_case(category=world.category)
    case = case_assign(actor=actor, case=case, assignee=world.alice)
    case = case_update_fields(actor=actor, case=case, changes={"severity": "urgent"})
    case = case_transfer(actor=actor, case=case, department=world.logistics, reason="物流问题")
    case = case_transition(actor=Actor.staff(world.erin), case=case, action=Action.START)
    case = case_transition(
        actor=Actor.staff(world.erin),
        case=case,
        action=Action.RESOLVE,
        resolution_code=world.resolution_code,
        root_cause=world.root_cause,
        summary="已退款",
    )

    _deliver_all()

    assert [m.status for m in _webhooks()] == [OutboxStatus.SENT] * 6
    events = [r.json["event"] for r in receiver.received]
    assert events == [
        "case.created",
        "case.updated",
        "case.updated",
        "case.updated",
        "case.updated",
        "case.resolved",
    ]
    assert all(r.signature_ok for r in receiver.received)
    assert [r.headers["X-Tingsu-Event"] for r in receiver.received] == events
    assert [r.headers["X-Tingsu-Delivery"] for r in receiver.received] == [
        m.idempotency_key for m in _webhooks()
    ]
    created, assigned, edited, transferred, started, resolved = (
        r.json["case"] for r in receiver.received
    )
    assert created["category"] == "quality" and created["department"] == "service"
    assert assigned["status"] == "assigned"
    assert edited["severity"] == "urgent"
    assert transferred["department"] == "logistics"
    assert started["status"] == Status.IN_PROGRESS
    assert resolved["status"] == Status.RESOLVED
    assert resolved["resolved_at"] is not None
    # The changes themselves kept their timeline and audit trail.
    assert CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).exists()
    assert AuditEntry.objects.filter(action="case.resolve", object_id=str(case.pk)).exists()


def test_a_non_resolving_transition_is_an_update(world, endpoint, receiver):
    case = make_case(assignee=world.alice)
    case_transition(actor=Actor.staff(world.alice), case=case, action=Action.WAIT_CUSTOMER)
    assert [m.payload["event"] for m in _webhooks()] == [
        "case.created",
        "case.updated",
        "case.updated",
    ]


def test_a_server_error_is_retried_after_the_backoff(world, endpoint, receiver):
    receiver.answers = [500]
    case = make_case()
    [message] = _webhooks()

    assert outbox_deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert "500" in message.last_error
    # Not due yet: a second run right away does nothing.
    assert outbox_deliver(message.pk) is False
    assert len(receiver.received) == 1

    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1), tick=False):
        assert outbox_deliver(message.pk) is True
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 2
    assert len(receiver.received) == 2
    first, second = receiver.received
    assert second.signature_ok
    # Same event and delivery id, so the integrator can drop a duplicate.
    assert second.json == first.json and second.json["case"]["number"] == case.number
    assert second.headers["X-Tingsu-Delivery"] == first.headers["X-Tingsu-Delivery"]


def test_a_not_found_is_dead_lettered_at_once(world, endpoint, receiver):
    receiver.answers = [404]
    make_case()
    [message] = _webhooks()

    assert outbox_deliver(message.pk) is False

    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert "404" in message.last_error
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        assert outbox_deliver(message.pk) is False
    assert len(receiver.received) == 1


def test_a_private_address_is_dead_lettered_without_a_request(world, receiver):
    # Default settings: 127.0.0.1 is not allowed, even though the endpoint row says so.
    WebhookEndpoint.objects.create(name="x", url=receiver.url(), events=ALL_EVENTS)
    make_case()
    [message] = _webhooks()
    outbox_deliver(message.pk)
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert receiver.received == []


def test_a_switched_off_endpoint_gets_nothing_already_queued(world, endpoint, receiver):
    make_case()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    [message] = _webhooks()
    outbox_deliver(message.pk)
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert receiver.received == []
