"""Fixtures for the security suite: every test drives the running app (Django's test client
through the full middleware stack, or a real local peer) and asserts the safe outcome."""

from email import message_from_bytes, policy

import pytest

from tingsu.api.tests.conftest import ApiClient, anonymous, api_as, assert_error, make_key  # noqa: F401
from tingsu.core.smtp_peer import smtp_peer, use_smtp_server

EMAIL_TOKEN = "security-suite-email-token"


@pytest.fixture
def email_webhook(client, settings):
    """post(raw_mime_bytes) -> the response of the raw-MIME email webhook."""
    settings.TINGSU = {**settings.TINGSU, "EMAIL_WEBHOOK_TOKEN": EMAIL_TOKEN}

    def post(raw: bytes):
        return client.generic(
            "POST",
            "/channels/email/inbound",
            raw,
            content_type="message/rfc822",
            headers={"X-Tingsu-Token": EMAIL_TOKEN},
        )

    return post


@pytest.fixture
def staff_client(client):
    """staff_client(user) -> the test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


class Mailbox:
    """What a real SMTP peer (aiosmtpd) received: parsed messages and envelope recipients."""

    def __init__(self):
        self.messages = []
        self.raw = []
        self.recipients = []

    async def handle_DATA(self, server, session, envelope):
        self.raw.append(envelope.content)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


@pytest.fixture
def mailbox(settings):
    """Django's SMTP backend pointed at an aiosmtpd server on 127.0.0.1; yields its Mailbox."""
    with smtp_peer(Mailbox()) as (box, port):
        use_smtp_server(settings, port)
        yield box


def deliver_outbox() -> None:
    """Run every pending outbox message now, as the worker would."""
    from tingsu.channels.models import OutboxMessage, OutboxStatus
    from tingsu.channels.outbox import outbox_deliver

    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).order_by("pk")
    for pk in pending.values_list("pk", flat=True):
        outbox_deliver(pk)


def portal_complaint(**fields) -> dict:
    """A valid portal form submission, with fields overridden."""
    import uuid

    data = {
        "name": "王芳",
        "phone": "",
        "email": "wf@example.com",
        "category": "",
        "subject": "杯子碎了",
        "description": "今天收到快递，杯子碎成两半，要求退款。",
        "order_number": "",
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(fields)
    return data
