"""email_receive: raw bytes in, a case, an appended message or a recorded rejection out."""

import base64
import glob
import os
import sys
import sysconfig
from pathlib import Path

import pytest
from django.db import transaction

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Attachment, Case, CaseEvent, EventKind
from tingsu.channels.email.intake import case_numbers_in, email_receive
from tingsu.channels.models import InboundRecord, InboundStatus
from tingsu.channels.outbox import outbox_enqueue
from tingsu.core.testing import make_case, make_customer

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def mail(
    body: str = "我买的电水壶用了两天就坏了，要求换货。",
    *,
    subject: str = "电水壶坏了",
    sender: str = "王小明 <wang@example.com>",
    message_id: str = "<m1@mail.example.com>",
    headers: str = "",
) -> bytes:
    return (
        f"From: {sender}\r\nTo: kefu@tingsu.example\r\nSubject: {subject}\r\n"
        f"Message-ID: {message_id}\r\n{headers}MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    ).encode() + base64.encodebytes(body.encode())


def test_it_creates_a_case_with_the_customer_timeline_and_audit(world):
    result = email_receive(mail())

    assert result.outcome == "created"
    case = Case.objects.get(number=result.case_number)
    assert case.channel == "email"
    assert case.subject == "电水壶坏了"
    assert case.description == "我买的电水壶用了两天就坏了，要求换货。"
    assert case.customer.email == "wang@example.com"
    assert case.customer.name == "王小明"
    event = CaseEvent.objects.get(case=case, kind=EventKind.CREATED)
    assert event.data["inbound_record"] == result.record_id
    assert AuditEntry.objects.filter(action="case.create", object_id=str(case.pk)).exists()
    record = InboundRecord.objects.get(pk=result.record_id)
    assert record.status == InboundStatus.PROCESSED
    assert record.external_id == "<m1@mail.example.com>"
    assert record.raw.read() == mail()


def test_it_records_a_repeat_delivery_once(world):
    first = email_receive(mail())
    again = email_receive(mail())
    assert again.outcome == "duplicate_delivery"
    assert again.case_number == first.case_number
    assert Case.objects.count() == 1


def test_it_names_a_message_without_message_id_by_its_bytes(world):
    raw = mail().replace(b"Message-ID: <m1@mail.example.com>\r\n", b"")
    first = email_receive(raw)
    assert InboundRecord.objects.get(pk=first.record_id).external_id.startswith("sha256:")
    assert email_receive(raw).outcome == "duplicate_delivery"


def test_it_attaches_allowed_files_and_lists_the_others_in_the_body(world):
    raw = (
        b"From: li@example.com\r\nSubject: photos\r\nMessage-ID: <att@example.com>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="M"\r\n\r\n'
        b"--M\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + "照片见附件".encode()
        + b"\r\n--M\r\nContent-Type: image/png\r\n"
        b'Content-Disposition: attachment; filename="broken.png"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(PNG) + b"--M\r\n"
        b"Content-Type: application/x-msdownload\r\n"
        b'Content-Disposition: attachment; filename="virus.exe"\r\n\r\nMZ\r\n--M--\r\n'
    )
    result = email_receive(raw)

    assert result.outcome == "created"
    case = Case.objects.get(number=result.case_number)
    assert [a.filename for a in Attachment.objects.filter(case=case)] == ["broken.png"]
    assert case.description.startswith("照片见附件")
    assert "virus.exe" in case.description
    record = InboundRecord.objects.get(pk=result.record_id)
    assert "virus.exe" in record.meta["attachments_skipped"][0]


def test_it_finds_case_numbers_in_the_subject():
    assert case_numbers_in("Re: [ts20261123000123] 回复：TS20261124000001") == [
        "TS20261123000123",
        "TS20261124000001",
    ]
    assert case_numbers_in("TS202611230001234 too long, XTS20261123000123 glued") == []


def test_a_reply_naming_the_case_number_in_the_subject_lands_on_that_case(world):
    case = make_case(customer=make_customer(email="wang@example.com"), subject="电水壶坏了")

    result = email_receive(
        mail("请问什么时候换货？", subject=f"Re: [{case.number}] 电水壶坏了", message_id="<r1@x>")
    )

    assert result.outcome == "appended"
    assert result.case_number == case.number
    event = CaseEvent.objects.filter(case=case, kind=EventKind.MESSAGE).latest("id")
    assert event.body == "请问什么时候换货？"
    assert event.data["threaded_by"] == "case_number"
    assert AuditEntry.objects.filter(action="case.message", object_id=str(case.pk)).exists()


def test_a_reply_to_our_outbound_message_id_lands_on_that_case(world):
    case = make_case(customer=make_customer(email="wang@example.com"), subject="退款")
    with transaction.atomic():
        sent = outbox_enqueue(
            transport="email",
            recipient="wang@example.com",
            subject="已收到",
            body="...",
            idempotency_key=f"received-{case.number}",
            case=case,
        )
    reply = mail(
        "换一个话题：发票也没开。\r\n\r\nOn Mon, Tingsu wrote:\r\n> 已收到",
        subject="Re: 已收到",
        message_id="<r2@x>",
        headers=f"In-Reply-To: <{sent.external_id}>\r\nReferences: <{sent.external_id}>\r\n",
    )

    result = email_receive(reply)

    assert result.outcome == "appended"
    assert result.case_number == case.number
    event = CaseEvent.objects.filter(case=case, kind=EventKind.MESSAGE).latest("id")
    assert event.body == "换一个话题：发票也没开。"
    assert event.data["threaded_by"] == "reply_to"


def test_a_reply_to_the_customers_earlier_email_lands_on_its_case(world):
    first = email_receive(mail())
    follow_up = mail(
        "补充：订单号 123456",
        subject="Re: 另一个主题",
        message_id="<m2@mail.example.com>",
        headers="References: <m0@x> <m1@mail.example.com>\r\n",
    )
    result = email_receive(follow_up)
    assert result.outcome == "appended"
    assert result.case_number == first.case_number


LOOP_HEADERS = [
    "Auto-Submitted: auto-replied\r\n",
    "X-Autoreply: yes\r\n",
    "X-Autorespond: yes\r\n",
    "Precedence: bulk\r\n",
    "Precedence: junk\r\n",
    "Precedence: list\r\n",
    "Precedence: auto_reply\r\n",
    "Return-Path: <>\r\n",
    "Return-Path: <MAILER-DAEMON@mx.example.com>\r\n",
]


@pytest.mark.parametrize("header", LOOP_HEADERS)
def test_it_keeps_automatic_mail_as_rejected_and_creates_no_case(world, header):
    result = email_receive(mail(headers=header))

    assert result.outcome == "rejected"
    assert Case.objects.count() == 0
    record = InboundRecord.objects.get(pk=result.record_id)
    assert record.status == InboundStatus.REJECTED
    assert header.split(":")[0].split("-")[0] in record.reason or "bounce" in record.reason
    assert record.sender == "wang@example.com"
    assert record.raw.read() == mail(headers=header)


def test_it_keeps_a_bounce_report_as_rejected(world):
    raw = (
        b"From: postmaster@mx.example.com\r\nSubject: Undelivered\r\nMessage-ID: <b@mx>\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
        b"--R\r\nContent-Type: text/plain\r\n\r\nDelivery failed\r\n--R--\r\n"
    )
    result = email_receive(raw)
    assert result.outcome == "rejected"
    assert Case.objects.count() == 0


def test_it_keeps_our_own_message_coming_back_as_rejected(world, settings):
    settings.TINGSU = {**settings.TINGSU, "MESSAGE_ID_DOMAIN": "tingsu.example"}
    result = email_receive(mail(message_id="<received-TS1@tingsu.example>"))
    assert result.outcome == "rejected"
    assert "our own message" in InboundRecord.objects.get(pk=result.record_id).reason
    assert Case.objects.count() == 0


def limits(settings, **kw):
    settings.TINGSU = {**settings.TINGSU, **kw}


def test_it_keeps_a_message_over_the_size_limit_as_rejected(world, settings):
    limits(settings, EMAIL_MAX_BYTES=500)
    raw = mail("很长的投诉。" * 100)
    result = email_receive(raw)
    assert result.outcome == "rejected"
    record = InboundRecord.objects.get(pk=result.record_id)
    assert "over the limit of 500" in record.reason
    assert record.subject == "电水壶坏了"
    assert record.raw.read() == raw
    assert Case.objects.count() == 0


def test_it_keeps_a_message_nested_too_deep_as_rejected(world, settings):
    limits(settings, EMAIL_MAX_MIME_DEPTH=2)
    body = b"Content-Type: text/plain\r\n\r\ndeep\r\n"
    for level in range(3):
        b = b"L%d" % level
        body = b"Content-Type: multipart/mixed; boundary=%s\r\n\r\n--%s\r\n%s--%s--\r\n" % (
            b,
            b,
            body,
            b,
        )
    raw = b"From: li@example.com\r\nSubject: deep\r\nMessage-ID: <deep@x>\r\n" + body
    result = email_receive(raw)
    assert result.outcome == "rejected"
    assert "nesting deeper than 2" in InboundRecord.objects.get(pk=result.record_id).reason
    assert Case.objects.count() == 0


def test_it_keeps_a_message_with_too_many_attachments_as_rejected(world, settings):
    limits(settings, EMAIL_MAX_ATTACHMENTS=2)
    parts = b"".join(
        b'--M\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename="%d.png"'
        b"\r\n\r\nx\r\n" % i
        for i in range(3)
    )
    raw = (
        b"From: li@example.com\r\nSubject: many\r\nMessage-ID: <many@x>\r\n"
        b'Content-Type: multipart/mixed; boundary="M"\r\n\r\n' + parts + b"--M--\r\n"
    )
    result = email_receive(raw)
    assert result.outcome == "rejected"
    assert InboundRecord.objects.get(pk=result.record_id).reason == "more than 2 attachments"
    assert Case.objects.count() == 0


def cpython_email_corpus() -> Path | None:
    """CPython's Lib/test/test_email/data, wherever this Python installation keeps it."""
    candidates = []
    try:
        import test

        candidates.append(Path(os.path.dirname(test.__file__)))
    except ImportError:
        pass
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    candidates += [stdlib / "test", Path(sys.base_prefix) / "lib" / stdlib.name / "test"]
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/python3*/test"))]
    for base in candidates:
        data = base / "test_email" / "data"
        if list(data.glob("msg_*.txt")):
            return data
    return None


def test_every_message_of_cpythons_email_corpus_becomes_a_case_or_a_recorded_rejection(world):
    corpus = cpython_email_corpus()
    if corpus is None:
        message = "CPython's test_email data is not installed with this Python"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    files = sorted(corpus.glob("msg_*.txt"))
    assert len(files) >= 40
    outcomes = {}
    for path in files:
        result = email_receive(path.read_bytes())
        outcomes[path.name] = result.outcome
        assert result.outcome in ("created", "appended", "duplicate_delivery", "rejected")
        assert InboundRecord.objects.filter(pk=result.record_id).exists(), path.name
        if result.outcome in ("created", "appended"):
            assert Case.objects.filter(number=result.case_number).exists()
    assert "created" in outcomes.values()
    assert outcomes["msg_16.txt"] == "rejected"  # a multipart/report delivery notification
