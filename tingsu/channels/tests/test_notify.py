from tingsu.cases.models import Channel, Status
from tingsu.cases.services import (
    Actor,
    case_add_message,
    case_add_note,
    case_assign,
    case_transfer,
    case_transition,
)
from tingsu.channels.models import (
    NotificationTemplate,
    OutboxMessage,
    StaffNotification,
    StaffNotificationKind,
)
from tingsu.channels.notify import mentioned_users
from tingsu.channels.transports import get_transport, register_transport, unregister_transport
from tingsu.core.testing import make_case, make_customer


def _outbox(event):
    return list(OutboxMessage.objects.filter(payload__event=event).order_by("id"))


def test_a_new_case_tells_the_customer_by_email_with_number_and_tracking_link(world):
    case = make_case(customer=make_customer(email="wang@example.com"))

    [message] = _outbox("case_received")
    assert message.transport == "email"
    assert message.recipient == "wang@example.com"
    assert case.number in message.subject
    assert f"/portal/track/{case.number}/?t={case.access_token()}" in message.body
    assert message.case == case
    assert message.external_id.startswith("case_received.")


def test_templates_render_in_english_when_the_site_speaks_english(world, settings):
    settings.LANGUAGE_CODE = "en"
    case = make_case(customer=make_customer(email="amy@example.com", name="Amy"))

    [message] = _outbox("case_received")
    assert message.subject == f"[Received] Your complaint {case.number}"
    assert message.body.startswith("Dear Amy,")


def test_staff_milestones_reach_the_customer(world):
    case = make_case(customer=make_customer(email="wang@example.com"), assignee=world.alice)
    staff = Actor.staff(world.alice)

    case_add_message(actor=staff, case=case, body="已联系仓库补发。")
    case_transition(actor=staff, case=case, action="wait_customer")
    case_transition(
        actor=staff,
        case=case,
        action="resolve",
        resolution_code=world.resolution_code,
        root_cause=world.root_cause,
        summary="已补发新杯子。",
    )
    case_transition(actor=Actor.customer(case.customer), case=case, action="reopen")

    assert "已联系仓库补发。" in _outbox("case_replied")[0].body
    assert case.number in _outbox("case_needs_info")[0].subject
    resolved = _outbox("case_resolved")[0]
    assert "已补发新杯子。" in resolved.body
    assert "评分" not in resolved.body  # the survey link slot stays empty for now
    assert len(_outbox("case_reopened")) == 1


def test_a_customer_message_does_not_notify_the_customer(world):
    case = make_case(customer=make_customer(email="wang@example.com"))

    case_add_message(actor=Actor.customer(case.customer), case=case, body="补充信息")

    assert _outbox("case_replied") == []


def test_a_wechat_case_is_answered_on_wechat_when_the_transport_exists(world):
    saved = get_transport("wechat")
    register_transport("wechat", lambda message: "")
    try:
        customer = make_customer(email="w@example.com", wechat_openid="o-abc")
        make_case(customer=customer, channel=Channel.WECHAT)
    finally:
        unregister_transport("wechat")
        if saved:
            register_transport("wechat", saved)

    [message] = _outbox("case_received")
    assert message.transport == "wechat" and message.recipient == "o-abc"


def test_it_falls_back_to_email_when_the_channel_has_no_transport(world):
    saved = get_transport("sms")
    unregister_transport("sms")
    try:
        make_case(customer=make_customer(email="s@example.com"), channel=Channel.SMS)
    finally:
        if saved:
            register_transport("sms", saved)

    [message] = _outbox("case_received")
    assert message.transport == "email"


def test_it_skips_a_customer_it_cannot_reach(world):
    make_case(customer=make_customer(email="", phone="13800009999"), channel=Channel.PORTAL)

    assert _outbox("case_received") == []


def test_an_edited_template_is_used(world):
    NotificationTemplate.objects.filter(
        event="case_received", transport="email", language="zh-hans"
    ).update(subject="收到 {{ case_number }}", body="编号 {{ case_number }}")

    case = make_case(customer=make_customer(email="wang@example.com"))

    [message] = _outbox("case_received")
    assert message.subject == f"收到 {case.number}"
    assert message.body == f"编号 {case.number}"


def test_a_broken_template_does_not_stop_the_case(world):
    NotificationTemplate.objects.filter(event="case_received").update(body="{% if %}")

    case = make_case(customer=make_customer(email="wang@example.com"))

    assert case.pk and case.status == Status.NEW
    assert _outbox("case_received") == []


def test_assigning_tells_the_assignee_in_app_and_by_email(world):
    world.bob.email = "bob@example.com"
    world.bob.save()
    case = make_case()

    case_assign(actor=Actor.staff(world.carol), case=case, assignee=world.bob)

    note = StaffNotification.objects.get(user=world.bob)
    assert note.kind == StaffNotificationKind.ASSIGNED and note.case == case
    assert note.read_at is None
    [email] = _outbox("staff_assigned")
    assert email.recipient == "bob@example.com"
    assert f"/desk/cases/{case.number}/" in email.body


def test_assigning_a_case_to_yourself_tells_nobody(world):
    case = make_case()

    case_assign(actor=Actor.staff(world.alice), case=case, assignee=world.alice)

    assert not StaffNotification.objects.exists()


def test_a_transfer_tells_the_receiving_departments_supervisors(world):
    case = make_case(department=world.service, assignee=world.alice)

    case_transfer(
        actor=Actor.staff(world.alice), case=case, department=world.logistics, reason="物流问题"
    )

    [note] = StaffNotification.objects.filter(kind=StaffNotificationKind.TRANSFERRED)
    assert note.user == world.erin


def test_a_mention_in_a_note_tells_the_mentioned_user(world):
    case = make_case(assignee=world.alice)

    case_add_note(actor=Actor.staff(world.alice), case=case, body="@carol 请看一下，@nobody 无此人")

    [note] = StaffNotification.objects.filter(kind=StaffNotificationKind.MENTIONED)
    assert note.user == world.carol


def test_mentions_ignore_email_addresses_and_compliance_users(world):
    assert mentioned_users("mail bob@example.com and @quinn") == []
    assert set(mentioned_users("@bob, @alice.")) == {world.alice, world.bob}
