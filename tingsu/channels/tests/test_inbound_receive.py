from datetime import timedelta

import time_machine
from django.utils import timezone

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Case, CaseEvent, EventKind, Status
from tingsu.cases.services import Actor, case_transition
from tingsu.channels.contracts import InboundAttachment
from tingsu.channels.inbound import inbound_receive, inbound_reject
from tingsu.channels.models import InboundRecord, InboundStatus, OutboxMessage
from tingsu.core.testing import make_case, make_customer
from tingsu.customers.models import Customer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _events(case, kind):
    return list(CaseEvent.objects.filter(case=case, kind=kind).order_by("id"))


def test_it_creates_a_case_and_a_customer_from_a_new_sender(world, inbound):
    result = inbound_receive(
        message=inbound(subject="杯子碎了", external_id="<m1@example.com>", raw=b"raw bytes")
    )

    assert result.outcome == "created"
    case = Case.objects.get(number=result.case_number)
    assert case.channel == "email"
    assert case.subject == "杯子碎了"
    assert case.customer.email == "wang@example.com"
    created = _events(case, EventKind.CREATED)[0]
    assert created.data["inbound_record"] == result.record_id
    assert AuditEntry.objects.filter(action="case.create", object_id=str(case.pk)).exists()
    record = InboundRecord.objects.get(pk=result.record_id)
    assert record.status == InboundStatus.PROCESSED
    assert record.case == case and record.customer == case.customer
    assert record.raw.read() == b"raw bytes"


def test_it_threads_by_a_case_number_of_the_same_customer(world, inbound):
    customer = make_customer(email="wang@example.com")
    case = make_case(customer=customer, subject="发票没开")

    result = inbound_receive(
        message=inbound(body="请问进度如何？", case_numbers=[case.number.lower()])
    )

    assert result.outcome == "appended"
    assert result.case_number == case.number
    message = _events(case, EventKind.MESSAGE)[-1]
    assert message.body == "请问进度如何？"
    assert message.data["threaded_by"] == "case_number"
    assert AuditEntry.objects.filter(action="case.message", object_id=str(case.pk)).exists()


def test_it_does_not_thread_onto_another_customers_case_by_number(world, inbound):
    other = make_case(customer=make_customer(email="someone@example.com"), subject="退款")

    result = inbound_receive(message=inbound(body="我的订单没到", case_numbers=[other.number]))

    assert result.outcome == "created"
    assert result.case_number != other.number
    assert not _events(other, EventKind.MESSAGE)


def test_it_threads_a_reply_to_an_earlier_inbound_message(world, inbound):
    first = inbound_receive(message=inbound(external_id="<a1@example.com>"))

    result = inbound_receive(
        message=inbound(
            body="补充：订单号 123456",
            email="wang.other@example.com",
            external_id="<a2@example.com>",
            reply_to_ids=["<a1@example.com>"],
        )
    )

    assert result.outcome == "appended"
    assert result.case_number == first.case_number
    event = _events(Case.objects.get(number=first.case_number), EventKind.MESSAGE)[-1]
    assert event.data["threaded_by"] == "reply_to"


def test_it_threads_a_reply_to_our_own_outbound_email(world, inbound):
    from django.db import transaction

    from tingsu.channels.outbox import outbox_enqueue

    case = make_case(customer=make_customer(email="wang@example.com"), subject="x")
    with transaction.atomic():
        sent = outbox_enqueue(
            transport="email",
            recipient="wang@example.com",
            subject="s",
            body="b",
            idempotency_key="notify-1",
            case=case,
        )

    result = inbound_receive(
        message=inbound(
            body="好的，谢谢！这是完全不同的话题", reply_to_ids=[f"<{sent.external_id}>"]
        )
    )

    assert result.outcome == "appended"
    assert result.case_number == case.number


def test_it_appends_the_same_matter_and_says_why_on_the_timeline(world, inbound):
    first = inbound_receive(message=inbound(body="快递盒子破了，里面的杯子也碎了，请处理"))

    result = inbound_receive(
        message=inbound(body="快递盒子破了，里面的杯子碎了，还没人处理", external_id="m2")
    )

    assert result.outcome == "appended"
    assert result.case_number == first.case_number
    assert first.case_number in result.reason and "0." in result.reason
    case = Case.objects.get(number=first.case_number)
    event = _events(case, EventKind.MESSAGE)[-1]
    assert event.data["threaded_by"] == "same_matter"
    assert 0.5 <= event.data["similarity"] <= 1
    assert first.case_number in event.data["reason"]


def test_it_creates_a_new_case_for_a_different_matter(world, inbound):
    first = inbound_receive(message=inbound(body="快递盒子破了，里面的杯子也碎了"))

    result = inbound_receive(message=inbound(body="会员积分没有到账，请核实"))

    assert result.outcome == "created"
    assert result.case_number != first.case_number


def test_it_creates_a_new_case_once_the_window_has_passed(world, inbound, settings):
    settings.TINGSU = {**settings.TINGSU, "DUPLICATE_WINDOW_DAYS": 3}
    first = inbound_receive(message=inbound())

    with time_machine.travel(timezone.now() + timedelta(days=4)):
        result = inbound_receive(message=inbound())

    assert result.outcome == "created"
    assert result.case_number != first.case_number


def test_the_similarity_threshold_is_configurable(world, inbound, settings):
    settings.TINGSU = {**settings.TINGSU, "DUPLICATE_SIMILARITY": 0.99}
    inbound_receive(message=inbound(body="快递盒子破了，里面的杯子也碎了，请处理"))

    result = inbound_receive(message=inbound(body="快递盒子破了，杯子碎了，怎么还没人处理"))

    assert result.outcome == "created"


def test_it_records_a_repeat_delivery_once_and_changes_nothing(world, inbound):
    first = inbound_receive(message=inbound(external_id="wx-123", channel="wechat", openid="o1"))

    again = inbound_receive(message=inbound(external_id="wx-123", channel="wechat", openid="o1"))

    assert again.outcome == "duplicate_delivery"
    assert again.case_number == first.case_number
    assert again.record_id == first.record_id
    assert InboundRecord.objects.count() == 1
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(kind=EventKind.MESSAGE).count() == 0


def test_the_same_external_id_on_another_channel_is_not_a_duplicate(world, inbound):
    inbound_receive(message=inbound(external_id="42", channel="sms", phone="13800001111"))

    result = inbound_receive(
        message=inbound(body="另一件事：发票", external_id="42", channel="wechat", openid="o9")
    )

    assert result.outcome != "duplicate_delivery"


def test_a_message_on_a_closed_case_opens_a_new_case_that_refers_to_it(world, inbound):
    customer = make_customer(email="wang@example.com")
    old = make_case(customer=customer, subject="杯子碎了")
    case_transition(actor=Actor.staff(world.carol), case=old, action="reject", reason="重复投诉")

    result = inbound_receive(message=inbound(body="为什么不受理？", case_numbers=[old.number]))

    assert result.outcome == "created"
    new = Case.objects.get(number=result.case_number)
    assert new.customer == customer
    created = _events(new, EventKind.CREATED)[0]
    assert created.data["follows_case"] == old.number
    assert old.number in created.data["reason"]
    old.refresh_from_db()
    assert old.status == Status.REJECTED


def test_a_customer_message_moves_a_waiting_case_back_in_progress(world, inbound):
    customer = make_customer(email="wang@example.com")
    case = make_case(customer=customer, assignee=world.alice, status=Status.WAITING_CUSTOMER)

    inbound_receive(message=inbound(body="照片已补充", case_numbers=[case.number]))

    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    transition = _events(case, EventKind.TRANSITION)[-1]
    assert transition.data["to"] == Status.IN_PROGRESS


def test_attachments_are_stored_with_the_case(world, inbound):
    result = inbound_receive(
        message=inbound(
            body="",
            subject="",
            attachments=[InboundAttachment("photo.png", "image/png", PNG)],
            channel="wechat",
            openid="o-photo",
            email="",
        )
    )

    assert result.outcome == "created"
    case = Case.objects.get(number=result.case_number)
    assert case.attachments.get().filename == "photo.png"


def test_a_bad_attachment_keeps_the_message_as_rejected_with_the_reason(world, inbound):
    result = inbound_receive(
        message=inbound(
            attachments=[InboundAttachment("virus.exe", "application/octet-stream", b"MZ..")],
            external_id="<bad@example.com>",
            raw=b"From: x\r\n\r\nbody",
        )
    )

    assert result.outcome == "rejected"
    assert "virus.exe" in result.reason
    record = InboundRecord.objects.get(pk=result.record_id)
    assert record.status == InboundStatus.REJECTED
    assert "virus.exe" in record.reason
    assert record.raw.read() == b"From: x\r\n\r\nbody"
    assert Case.objects.count() == 0
    # The customer resolved inside the rejected attempt is rolled back with it.
    assert Customer.objects.count() == 0


def test_a_message_without_any_sender_identity_is_kept_as_rejected(world, inbound):
    from tingsu.channels.contracts import Identity

    result = inbound_receive(message=inbound(identity=Identity(name="匿名")))

    assert result.outcome == "rejected"
    assert InboundRecord.objects.get().status == InboundStatus.REJECTED


def test_an_adapter_can_keep_a_refused_message_as_rejected(world, inbound):
    result = inbound_reject(message=inbound(external_id="<loop@x>"), reason="auto-reply")

    assert result.outcome == "rejected"
    record = InboundRecord.objects.get()
    assert record.reason == "auto-reply"
    again = inbound_receive(message=inbound(external_id="<loop@x>"))
    assert again.outcome == "duplicate_delivery"
    assert OutboxMessage.objects.count() == 0


def test_the_same_customer_on_wechat_then_email_about_the_same_matter_is_one_case(world, inbound):
    customer = make_customer(email="wang@example.com", wechat_openid="o-wang", phone="")

    first = inbound_receive(
        message=inbound(
            body="快递盒子破了，里面的杯子也碎了，请处理",
            channel="wechat",
            openid="o-wang",
            email="",
            external_id="wx-1",
        )
    )
    second = inbound_receive(
        message=inbound(
            body="快递盒子破了，里面的杯子碎了，还没人处理",
            subject="杯子碎了",
            channel="email",
            external_id="<e-1@example.com>",
        )
    )

    assert first.outcome == "created" and second.outcome == "appended"
    assert first.case_number == second.case_number
    case = Case.objects.get(number=first.case_number)
    assert case.customer == customer and case.channel == "wechat"
    assert Customer.objects.count() == 1
    bodies = [e.body for e in CaseEvent.objects.filter(case=case).order_by("id")]
    assert "快递盒子破了，里面的杯子也碎了，请处理" in bodies
    assert "快递盒子破了，里面的杯子碎了，还没人处理" in bodies
    appended = _events(case, EventKind.MESSAGE)[-1]
    assert appended.data["channel"] == "email"
