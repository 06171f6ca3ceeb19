"""Must-show 6: CR/LF header injection in subject, name and email address.

Typed input (portal form, API intake) with a line break in a one-line field is refused
with a message and nothing is written. What arrives otherwise (an inbound email's From
display name and subject, an outbox row) is delivered to a real SMTP server (aiosmtpd):
the mail that arrives has no injected header and goes to nobody but the customer.
"""

import base64

import pytest
from django.db import transaction

from tests.security.conftest import deliver_outbox, portal_complaint
from tingsu.accounts.models import ApiKeyScope
from tingsu.cases.models import Case
from tingsu.channels.models import OutboxMessage, OutboxStatus
from tingsu.channels.outbox import outbox_deliver, outbox_enqueue

pytestmark = pytest.mark.django_db

INJECTED = "\r\nBcc: attacker@evil.test\r\nX-Injected: yes"


def assert_clean(mailbox, to: str) -> None:
    assert mailbox.messages, "no mail arrived"
    for message, recipients, raw in zip(
        mailbox.messages, mailbox.recipients, mailbox.raw, strict=True
    ):
        assert recipients == [to]
        assert message["Bcc"] is None
        assert message["X-Injected"] is None
        assert b"attacker@evil.test" not in raw.split(b"\r\n\r\n", 1)[0]
        assert "\n" not in str(message["Subject"])


@pytest.mark.parametrize("field", ["name", "subject", "order_number"])
def test_a_portal_one_line_field_with_crlf_is_refused_on_the_form(client, world, mailbox, field):
    values = {"name": "王芳", "subject": "杯子碎了", "order_number": "JD-1001"}
    values[field] += INJECTED
    data = portal_complaint(**values)

    response = client.post("/portal/new/", data)

    assert response.status_code == 200
    # The portal speaks Chinese by default.
    assert "此处不允许换行" in str(response.context["form"].errors[field])
    assert not Case.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_portal_email_address_with_crlf_is_refused_on_the_form(client, world, mailbox):
    data = portal_complaint(email="wf@example.com" + INJECTED)

    response = client.post("/portal/new/", data)

    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not Case.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_an_api_email_address_with_crlf_is_refused_with_422(api_as, world):
    body = {
        "customer": {"name": "王芳", "email": "wf@example.com\r\nBcc: attacker@evil.test"},
        "subject": "杯子碎了",
        "description": "今天收到快递，杯子碎成两半。",
    }

    response = api_as(None, scopes=[ApiKeyScope.INTAKE]).post("/complaints", body)

    assert response.status_code == 422
    assert set(response.json()) == {"code", "message", "detail"}
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "where", ["customer.name", "subject", "order_number", "customer.customer_number"]
)
def test_an_api_one_line_field_with_crlf_is_refused_with_422(api_as, world, mailbox, where):
    body = {
        "customer": {"name": "王芳", "email": "wf@example.com", "customer_number": "C-1"},
        "subject": "杯子碎了",
        "order_number": "JD-1001",
        "description": "今天收到快递，杯子碎成两半。",
    }
    *path, field = where.split(".")
    target = body[path[0]] if path else body
    target[field] += INJECTED

    response = api_as(None, scopes=[ApiKeyScope.INTAKE]).post("/complaints", body)

    assert response.status_code == 422, response.content
    error = response.json()
    assert set(error) == {"code", "message", "detail"}
    assert "此处不允许换行" in str(error["detail"])
    assert [d["loc"][-1] for d in error["detail"]] == [field]
    assert not Case.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_line_separator_in_a_subject_is_refused_too(api_as, world):
    body = {
        "customer": {"name": "王芳", "email": "wf@example.com"},
        "subject": "杯子碎了\u2028Bcc: attacker@evil.test",
        "description": "今天收到快递，杯子碎成两半。",
    }

    response = api_as(None, scopes=[ApiKeyScope.INTAKE]).post("/complaints", body)

    assert response.status_code == 422
    assert not Case.objects.exists()


def test_an_inbound_from_name_hiding_crlf_cannot_add_a_header(email_webhook, world, mailbox):
    hidden = base64.b64encode(("王芳" + INJECTED).encode()).decode()
    raw = (
        f"From: =?utf-8?b?{hidden}?= <wf@example.com>\r\n"
        "To: complaints@tingsu.test\r\n"
        "Subject: =?utf-8?b?"
        + base64.b64encode(("杯子碎了" + INJECTED).encode()).decode()
        + "?=\r\n"
        "Message-ID: <crlf-1@example.com>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "今天收到快递，杯子碎成两半，要求退款。\r\n"
    ).encode()

    response = email_webhook(raw)

    assert response.status_code == 201, response.content
    deliver_outbox()
    assert_clean(mailbox, "wf@example.com")


def test_an_outbox_subject_with_crlf_leaves_as_one_line(world, mailbox):
    with transaction.atomic():
        message = outbox_enqueue(
            transport="email",
            recipient="wf@example.com",
            subject="您的投诉" + INJECTED,
            body="正文",
            idempotency_key="crlf-subject",
        )

    outbox_deliver(message.pk)

    assert_clean(mailbox, "wf@example.com")
    assert (
        str(mailbox.messages[0]["Subject"]).strip().startswith("您的投诉 Bcc: attacker@evil.test")
    )


def test_an_outbox_recipient_with_crlf_is_never_sent(world, mailbox):
    with transaction.atomic():
        message = outbox_enqueue(
            transport="email",
            recipient="wf@example.com\r\nBcc: attacker@evil.test",
            subject="您的投诉",
            body="正文",
            idempotency_key="crlf-recipient",
        )

    outbox_deliver(message.pk)

    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert mailbox.messages == []
