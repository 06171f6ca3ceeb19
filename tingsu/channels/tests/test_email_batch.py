"""A delivery batch sends its emails through one SMTP connection (aiosmtpd on 127.0.0.1,
which tells each message's client address apart: one address, one connection)."""

import pytest
from django.db import transaction

from tingsu.channels.models import OutboxMessage, OutboxStatus
from tingsu.channels.outbox import outbox_deliver, outbox_deliver_many, outbox_enqueue
from tingsu.core.smtp_peer import Inbox, free_port, smtp_peer, use_smtp_server


class CountingInbox(Inbox):
    """Records the client address (host, port) of each SMTP session and each delivery,
    and refuses recipients at refused.example.com."""

    def __init__(self):
        super().__init__()
        self.sessions = set()
        self.peers = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions.add(session.peer)
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.example.com"):
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.peers.append(session.peer)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def counting_smtp(settings):
    with smtp_peer(CountingInbox()) as (inbox, port):
        use_smtp_server(settings, port)
        yield inbox


def emails(*recipients):
    with transaction.atomic():
        return [
            outbox_enqueue(
                transport="email",
                recipient=to,
                subject=f"您的投诉 {n} 已受理",
                body="我们已收到您的投诉。",
                idempotency_key=f"batch-mail:{n}",
            ).pk
            for n, to in enumerate(recipients)
        ]


def test_the_emails_of_a_batch_share_one_smtp_connection(db, counting_smtp):
    ids = emails(*(f"customer{n}@example.com" for n in range(4)))

    assert outbox_deliver_many(message_ids=ids) == 4

    assert len(counting_smtp.messages) == 4
    assert len(counting_smtp.sessions) == 1
    assert len(set(counting_smtp.peers)) == 1
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_single_deliveries_each_open_their_own_connection(db, counting_smtp):
    for pk in emails("a@example.com", "b@example.com"):
        outbox_deliver(pk)

    assert len(counting_smtp.messages) == 2
    assert len(counting_smtp.sessions) == 2


def test_a_refused_recipient_is_dead_lettered_and_the_rest_of_the_batch_arrives(db, counting_smtp):
    ids = emails("first@example.com", "nobody@refused.example.com", "last@example.com")

    assert outbox_deliver_many(message_ids=ids) == 2

    statuses = dict(OutboxMessage.objects.values_list("recipient", "status"))
    assert statuses == {
        "first@example.com": OutboxStatus.SENT,
        "nobody@refused.example.com": OutboxStatus.DEAD,
        "last@example.com": OutboxStatus.SENT,
    }
    assert sorted(m["To"] for m in counting_smtp.messages) == [
        "first@example.com",
        "last@example.com",
    ]
    assert len(counting_smtp.sessions) == 1


def test_a_batch_whose_mail_server_is_down_retries_every_email(db, settings):
    use_smtp_server(settings, free_port())  # nobody listens
    ids = emails("a@example.com", "b@example.com")

    assert outbox_deliver_many(message_ids=ids) == 0

    rows = OutboxMessage.objects.values_list("status", "attempts", "last_error")
    assert [(status, attempts) for status, attempts, _ in rows] == [
        (OutboxStatus.PENDING, 1),
        (OutboxStatus.PENDING, 1),
    ]
    assert all("Transient" in error for _, _, error in rows)
