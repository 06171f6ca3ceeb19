from django.db import transaction
from django.urls import reverse

from tingsu.channels.contracts import PermanentError
from tingsu.channels.models import (
    NotificationEvent,
    NotificationTemplate,
    OutboxMessage,
    OutboxStatus,
)
from tingsu.channels.outbox import outbox_deliver, outbox_enqueue
from tingsu.channels.transports import register_transport, unregister_transport
from tingsu.core.testing import PASSWORD


def _dead_letter():
    def refuse(message):
        raise PermanentError("550 mailbox unavailable")

    register_transport("refusing", refuse)
    try:
        with transaction.atomic():
            message = outbox_enqueue(
                transport="refusing", recipient="x@example.com", idempotency_key="dead-1"
            )
        outbox_deliver(message.pk)
    finally:
        unregister_transport("refusing")
    return OutboxMessage.objects.get(pk=message.pk)


def test_dead_letters_are_listed_with_their_error(world, client):
    dead = _dead_letter()
    client.login(username="root", password=PASSWORD)

    response = client.get(
        reverse("admin:channels_outboxmessage_changelist"), {"status__exact": "dead"}
    )

    assert response.status_code == 200
    assert dead.status == OutboxStatus.DEAD
    assert "550 mailbox unavailable" in response.content.decode()


def test_the_retry_action_queues_a_dead_letter_again(world, client):
    dead = _dead_letter()
    client.login(username="root", password=PASSWORD)

    response = client.post(
        reverse("admin:channels_outboxmessage_changelist"),
        {"action": "retry", "_selected_action": [dead.pk]},
        follow=True,
    )

    assert response.status_code == 200
    dead.refresh_from_db()
    assert dead.status == OutboxStatus.PENDING and dead.attempts == 0


def test_notification_templates_are_editable_in_admin(world, client):
    template = NotificationTemplate.objects.get(
        event="case_received", transport="email", language="en"
    )
    client.login(username="root", password=PASSWORD)
    url = reverse("admin:channels_notificationtemplate_change", args=[template.pk])

    response = client.post(
        url,
        {
            "event": "case_received",
            "transport": "email",
            "language": "en",
            "subject": "Got it: {{ case_number }}",
            "body": "Thanks",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    template.refresh_from_db()
    assert template.subject == "Got it: {{ case_number }}"


def test_default_templates_exist_for_every_event_in_both_languages(db):
    events = set(
        NotificationTemplate.objects.filter(transport="email").values_list("event", "language")
    )
    assert len(events) == 2 * len(NotificationEvent.values)
