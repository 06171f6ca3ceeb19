"""The "email" transport against a real SMTP server (aiosmtpd on 127.0.0.1)."""

import pytest
from django.db import transaction

from tingsu.cases.services import Actor, case_transition
from tingsu.channels.contracts import PermanentError, TransientError
from tingsu.channels.models import OutboxMessage, OutboxStatus
from tingsu.channels.outbox import outbox_deliver, outbox_enqueue
from tingsu.channels.smtp import email_send
from tingsu.core.testing import make_case, make_customer


def deliver_all():
    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).order_by("pk")
    for pk in pending.values_list("pk", flat=True):
        outbox_deliver(pk)


def test_milestone_emails_arrive_with_the_case_number_and_tracking_link(world, smtp_settings):
    inbox = smtp_settings
    case = make_case(customer=make_customer(email="wang@example.com"), assignee=world.alice)
    case_transition(
        actor=Actor.staff(world.alice),
        case=case,
        action="resolve",
        resolution_code=world.resolution_code,
        root_cause=world.root_cause,
        summary="已退款。",
    )

    deliver_all()

    assert len(inbox.messages) == 2
    received, resolved = inbox.messages
    assert received["To"] == "wang@example.com"
    assert received["From"] == "tingsu@tingsu.test"
    assert case.number in received["Subject"]
    body = received.get_content()
    assert case.number in body
    assert f"/portal/track/{case.number}/?t={case.access_token()}" in body
    assert "已退款。" in resolved.get_content()
    sent = OutboxMessage.objects.get(payload__event="case_received")
    assert sent.status == OutboxStatus.SENT
    assert received["Message-ID"] == f"<{sent.external_id}>"
    assert sent.external_id.startswith("case_received.")
    assert sent.external_id.endswith("@tingsu.test")
    assert sent.provider_id == received["Message-ID"]
    assert received["Auto-Submitted"] == "auto-generated"


def _message(recipient="wang@example.com"):
    with transaction.atomic():
        return outbox_enqueue(
            transport="email",
            recipient=recipient,
            subject="主题",
            body="正文",
            idempotency_key="mail-1",
        )


def test_a_refused_recipient_is_a_permanent_error(db, smtp_settings, smtp_peer):
    inbox, _port = smtp_peer

    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 5.1.1 no such user"

    inbox.handle_RCPT = refuse
    message = _message()

    with pytest.raises(PermanentError):
        email_send(message)


def test_a_deferred_recipient_is_a_transient_error(db, smtp_settings, smtp_peer):
    inbox, _port = smtp_peer

    async def defer(server, session, envelope, address, rcpt_options):
        return "450 4.2.1 mailbox busy"

    inbox.handle_RCPT = defer

    with pytest.raises(TransientError):
        email_send(_message())


def test_an_unreachable_server_is_a_transient_error(db, settings):
    from tingsu.core.smtp_peer import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nobody listens there

    with pytest.raises(TransientError):
        email_send(_message())


def test_not_an_email_address_is_a_permanent_error(db):
    with pytest.raises(PermanentError):
        email_send(_message(recipient="13800001111"))
