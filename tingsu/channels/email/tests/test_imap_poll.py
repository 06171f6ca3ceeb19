"""Polling a real IMAP server (dovecot) through the scheduler job."""

from datetime import timedelta

import time_machine
from django.core.management import call_command
from django.utils import timezone

from tingsu.cases.models import Case, CaseEvent, EventKind
from tingsu.channels.email.imap import mailbox_poll, mailbox_poll_claim_due
from tingsu.channels.email.models import AfterProcessing, Mailbox
from tingsu.channels.models import InboundRecord, InboundStatus

COMPLAINT = (
    b"From: =?gbk?B?1cXI/Q==?= <zhangsan@example.com>\r\nTo: kefu@tingsu.example\r\n"
    b"Subject: =?gbk?B?v+y13cj9zOzDu7W9?=\r\nMessage-ID: <imap-1@example.com>\r\n"
    b"Content-Type: text/plain; charset=gbk\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
) + "快递三天没到，要求退款。\r\n".encode("gbk")
AUTO_REPLY = (
    b"From: away@example.com\r\nSubject: Out of office\r\nMessage-ID: <imap-2@example.com>\r\n"
    b"Auto-Submitted: auto-replied\r\n\r\nI am away.\r\n"
)


def mailbox_for(server, **kw) -> Mailbox:
    return Mailbox.objects.create(
        name=kw.pop("name", "客服邮箱"),
        host=server.host,
        port=server.port,
        use_ssl=False,
        username=server.user,
        password=kw.pop("password", server.password),
        **kw,
    )


def test_it_polls_a_due_mailbox_creates_cases_and_marks_mail_read(world, dovecot):
    dovecot.deliver(COMPLAINT)
    dovecot.deliver(AUTO_REPLY)
    mailbox = mailbox_for(dovecot)

    assert mailbox_poll_claim_due() is True

    case = Case.objects.get()
    assert case.subject == "快递三天没到"
    assert case.customer.email == "zhangsan@example.com"
    assert case.customer.name == "张三"
    assert case.description == "快递三天没到，要求退款。"
    assert CaseEvent.objects.filter(case=case, kind=EventKind.CREATED).exists()
    rejected = InboundRecord.objects.get(status=InboundStatus.REJECTED)
    assert rejected.external_id == "<imap-2@example.com>"
    assert "Auto-Submitted" in rejected.reason
    assert InboundRecord.objects.get(case=case).meta["mailbox"] == "客服邮箱"
    assert dovecot.unseen() == []
    assert len(dovecot.all()) == 2
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""
    assert mailbox.last_polled_at is not None
    assert mailbox.next_poll_at > timezone.now() + timedelta(seconds=50)


def test_a_second_poll_creates_nothing_new(world, dovecot):
    dovecot.deliver(COMPLAINT)
    mailbox = mailbox_for(dovecot)
    assert mailbox_poll_claim_due() is True
    assert mailbox_poll_claim_due() is False  # not due again yet

    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert mailbox_poll_claim_due() is True
    # Even mail marked unread again by a person is recorded once.
    conn = dovecot.connect()
    conn.select("INBOX")
    conn.uid("STORE", dovecot.all()[0], "-FLAGS", r"(\Seen)")
    conn.logout()
    assert mailbox_poll(mailbox) == 1

    assert Case.objects.count() == 1
    assert InboundRecord.objects.count() == 1
    assert dovecot.unseen() == []


def test_it_moves_processed_mail_to_a_folder(world, dovecot):
    conn = dovecot.connect()
    conn.create("Processed")
    conn.logout()
    dovecot.deliver(COMPLAINT)
    dovecot.deliver(AUTO_REPLY)
    mailbox_for(dovecot, after_processing=AfterProcessing.MOVE, move_to_folder="Processed")

    assert mailbox_poll_claim_due() is True

    assert Case.objects.count() == 1
    assert dovecot.all("INBOX") == []
    assert len(dovecot.all("Processed")) == 2


def test_it_polls_in_bounded_batches_and_comes_back_at_once_for_the_rest(world, dovecot, settings):
    settings.TINGSU = {**settings.TINGSU, "EMAIL_POLL_BATCH": 2}
    for i in range(3):
        raw = COMPLAINT.replace(b"<imap-1@", f"<imap-batch-{i}@".encode())
        dovecot.deliver(raw.replace("要求退款".encode("gbk"), f"第{i}封".encode("gbk")))
    mailbox = mailbox_for(dovecot)

    assert mailbox_poll_claim_due() is True
    assert InboundRecord.objects.count() == 2
    mailbox.refresh_from_db()
    assert mailbox.next_poll_at <= timezone.now()
    assert mailbox_poll_claim_due() is True
    assert InboundRecord.objects.count() == 3
    assert dovecot.unseen() == []


def test_it_records_a_login_failure_on_the_mailbox_and_carries_on(world, dovecot):
    dovecot.deliver(COMPLAINT)
    mailbox = mailbox_for(dovecot, password="wrong")

    assert mailbox_poll_claim_due() is True

    mailbox.refresh_from_db()
    assert "LOGIN" in mailbox.last_error or "authentication" in mailbox.last_error.lower()
    assert mailbox.next_poll_at > timezone.now()
    assert Case.objects.count() == 0
    assert len(dovecot.unseen()) == 1


def test_it_records_an_unreachable_server_on_the_mailbox(world, dovecot):
    mailbox = mailbox_for(dovecot)
    dovecot.process.terminate()
    dovecot.process.wait()

    assert mailbox_poll(mailbox) == 0

    mailbox.refresh_from_db()
    assert "ConnectionRefusedError" in mailbox.last_error


def test_it_leaves_inactive_mailboxes_alone(world, dovecot):
    dovecot.deliver(COMPLAINT)
    mailbox_for(dovecot, is_active=False)
    assert mailbox_poll_claim_due() is False
    assert len(dovecot.unseen()) == 1


def test_the_scheduler_polls_mailboxes(world, dovecot):
    dovecot.deliver(COMPLAINT)
    mailbox_for(dovecot)

    call_command("scheduler", "--once")

    assert Case.objects.count() == 1
    assert dovecot.unseen() == []
