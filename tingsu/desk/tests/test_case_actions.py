"""Each case page action: one service call, its timeline event and audit entry, and errors
shown as messages or field errors, never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Case, CaseEvent, EventKind, Severity, Status
from tingsu.core.testing import make_case
from tingsu.desk.tests.conftest import PNG, messages_of

pytestmark = pytest.mark.django_db


def post(client, name, case, data=None, **kw):
    return client.post(reverse(name, kwargs={"number": case.number, **kw}), data or {})


def audited(case, action) -> AuditEntry:
    return AuditEntry.objects.get(action=action, object_id=str(case.pk))


def assert_back_on_case(response, case):
    assert response.status_code == 302
    assert response.url == reverse("desk:case", args=[case.number])


def test_it_sends_a_public_reply(world, login, alice_case):
    response = post(
        login(world.alice), "desk:reply", alice_case, {"body": "您好，已为您登记退款。"}
    )
    assert_back_on_case(response, alice_case)
    assert "Reply sent to the customer." in messages_of(response)
    event = CaseEvent.objects.get(case=alice_case, kind=EventKind.MESSAGE)
    assert event.is_public and event.author == world.alice and "退款" in event.body
    assert audited(alice_case, "case.message")
    alice_case.refresh_from_db()
    assert alice_case.first_response_at is not None
    assert alice_case.status == Status.IN_PROGRESS


def test_it_sends_a_reply_with_an_attachment(world, login, alice_case):
    client = login(world.alice)
    photo = SimpleUploadedFile("label.png", PNG, content_type="image/png")
    client.post(
        reverse("desk:reply", args=[alice_case.number]), {"body": "见附件", "attachments": photo}
    )
    attachment = alice_case.attachments.get()
    assert attachment.is_public and attachment.event.kind == EventKind.MESSAGE
    html = client.get(reverse("desk:case", args=[alice_case.number])).content.decode()
    assert reverse("desk:attachment", args=[alice_case.number, attachment.pk]) in html


def test_it_shows_the_error_for_an_empty_reply(world, login, alice_case):
    response = post(login(world.alice), "desk:reply", alice_case, {"body": "  "})
    assert response.status_code == 422
    assert 'id="reply-form"' in response.content.decode()
    assert not CaseEvent.objects.filter(case=alice_case, kind=EventKind.MESSAGE).exists()


def test_it_refuses_a_disallowed_attachment_on_the_form(world, login, alice_case):
    exe = SimpleUploadedFile("virus.exe", b"MZ" + b"0" * 20)
    client = login(world.alice)
    response = client.post(
        reverse("desk:reply", args=[alice_case.number]), {"body": "见附件", "attachments": exe}
    )
    assert response.status_code == 422
    assert "virus.exe" in response.content.decode()
    assert not CaseEvent.objects.filter(case=alice_case, kind=EventKind.MESSAGE).exists()


def test_it_adds_an_internal_note(world, login, alice_case):
    response = post(login(world.alice), "desk:note", alice_case, {"body": "客户情绪激动"})
    assert_back_on_case(response, alice_case)
    event = CaseEvent.objects.get(case=alice_case, kind=EventKind.NOTE)
    assert not event.is_public and event.body == "客户情绪激动"
    assert audited(alice_case, "case.note")


def test_it_lets_an_agent_take_an_unassigned_case(world, login):
    case = make_case(department=world.service)
    response = post(login(world.alice), "desk:assign", case, {"assignee": world.alice.pk})
    assert_back_on_case(response, case)
    case.refresh_from_db()
    assert case.assignee == world.alice and case.status == Status.ASSIGNED
    assert CaseEvent.objects.get(case=case, kind=EventKind.ASSIGNED).data["to"] == world.alice.pk
    assert audited(case, "case.assign")


def test_it_lets_a_supervisor_assign_to_her_staff(world, login, alice_case):
    response = post(login(world.carol), "desk:assign", alice_case, {"assignee": world.bob.pk})
    assert_back_on_case(response, alice_case)
    assert Case.objects.get(pk=alice_case.pk).assignee == world.bob
    assert CaseEvent.objects.filter(case=alice_case, kind=EventKind.ASSIGNED).count() == 2
    assert (
        AuditEntry.objects.filter(action="case.assign", object_id=str(alice_case.pk)).count() == 2
    )


def test_it_refuses_an_agent_assigning_a_colleague(world, login):
    case = make_case(department=world.service)
    response = post(login(world.alice), "desk:assign", case, {"assignee": world.bob.pk})
    assert response.status_code == 422
    assert Case.objects.get(pk=case.pk).assignee is None


def test_it_transfers_with_a_reason_and_returns_to_the_queue(world, login, alice_case):
    response = post(
        login(world.alice),
        "desk:transfer",
        alice_case,
        {"department": world.logistics.pk, "reason": "包裹在途破损，请物流部处理"},
    )
    # The case has left alice's scope, so she goes back to the queue.
    assert response.status_code == 302 and response.url == reverse("desk:queue")
    alice_case.refresh_from_db()
    assert alice_case.department == world.logistics and alice_case.assignee is None
    event = CaseEvent.objects.get(case=alice_case, kind=EventKind.TRANSFERRED)
    assert event.data["reason"] == "包裹在途破损，请物流部处理"
    assert audited(alice_case, "case.transfer")


def test_it_requires_a_reason_to_transfer(world, login, alice_case):
    response = post(
        login(world.alice), "desk:transfer", alice_case, {"department": world.logistics.pk}
    )
    assert response.status_code == 422
    assert 'id="transfer-form"' in response.content.decode()
    assert Case.objects.get(pk=alice_case.pk).department == world.service
    assert not CaseEvent.objects.filter(case=alice_case, kind=EventKind.TRANSFERRED).exists()


def test_it_changes_category_severity_priority_tags_and_order_number(world, login, alice_case):
    client = login(world.alice)
    response = post(
        client,
        "desk:update",
        alice_case,
        {
            "category": world.subcategory.pk,
            "severity": "major",
            "priority": "1",
            "tags": "破损，加急",
            "order_number": "JD-123",
        },
    )
    assert_back_on_case(response, alice_case)
    alice_case.refresh_from_db()
    assert alice_case.category == world.subcategory
    assert alice_case.severity == Severity.MAJOR and alice_case.priority == 1
    assert alice_case.order_number == "JD-123"
    assert sorted(alice_case.tags.values_list("name", flat=True)) == ["加急", "破损"]
    changed = set(
        CaseEvent.objects.filter(case=alice_case, kind=EventKind.FIELD_CHANGED).values_list(
            "data__field", flat=True
        )
    )
    assert changed == {"category", "severity", "priority", "tags", "order_number"}
    assert audited(alice_case, "case.update").changes["severity"] == {
        "old": "normal",
        "new": "major",
    }
    html = client.get(reverse("desk:case", args=[alice_case.number])).content.decode()
    assert "Severity: Normal → Major" in html
    assert "Priority: P3 normal → P1 critical" in html


def test_it_refuses_an_order_number_with_a_line_break(world, login, alice_case):
    response = post(
        login(world.alice),
        "desk:update",
        alice_case,
        {"severity": "normal", "priority": "3", "order_number": "JD-1\r\nBcc: x@evil.test"},
    )

    assert response.status_code == 422
    assert "line breaks are not allowed" in response.content.decode()
    alice_case.refresh_from_db()
    assert alice_case.order_number == ""
    assert not CaseEvent.objects.filter(case=alice_case, kind=EventKind.FIELD_CHANGED).exists()


def test_it_changes_only_the_fields_that_differ(world, login, alice_case):
    post(
        login(world.alice),
        "desk:update",
        alice_case,
        {"category": world.category.pk, "severity": "urgent", "priority": "3", "tags": ""},
    )
    events = CaseEvent.objects.filter(case=alice_case, kind=EventKind.FIELD_CHANGED)
    assert [e.data["field"] for e in events] == ["severity"]


@pytest.mark.parametrize(
    "action, start, end",
    [
        ("start", Status.ASSIGNED, Status.IN_PROGRESS),
        ("wait_customer", Status.IN_PROGRESS, Status.WAITING_CUSTOMER),
        ("close", Status.RESOLVED, Status.CLOSED),
        ("withdraw", Status.IN_PROGRESS, Status.WITHDRAWN),
    ],
)
def test_it_moves_the_status(world, login, action, start, end):
    case = make_case(department=world.service, assignee=world.alice, status=start)
    response = post(login(world.alice), "desk:transition", case, action=action)
    assert_back_on_case(response, case)
    assert Case.objects.get(pk=case.pk).status == end
    event = CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).last()
    assert event.data["to"] == end and event.data["action"] == action
    assert audited(case, f"case.{action}").changes["to"] == end


def test_it_resolves_with_code_root_cause_and_summary(world, login, alice_case):
    response = post(
        login(world.alice),
        "desk:transition",
        alice_case,
        {
            "resolution_code": world.resolution_code.pk,
            "root_cause": world.root_cause.pk,
            "summary": "已全额退款并补发新品。",
        },
        action="resolve",
    )
    assert_back_on_case(response, alice_case)
    alice_case.refresh_from_db()
    assert alice_case.status == Status.RESOLVED
    assert alice_case.resolution_code == world.resolution_code
    assert alice_case.resolved_at is not None
    event = CaseEvent.objects.get(
        case=alice_case, kind=EventKind.TRANSITION, data__action="resolve"
    )
    assert event.body == "已全额退款并补发新品。"
    assert audited(alice_case, "case.resolve")


def test_it_shows_field_errors_when_resolving_without_a_code(world, login, alice_case):
    response = post(
        login(world.alice),
        "desk:transition",
        alice_case,
        {"root_cause": world.root_cause.pk, "summary": "已处理"},
        action="resolve",
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="resolve-form"' in html and "invalid-feedback" in html
    assert "This field is required." in html
    assert Case.objects.get(pk=alice_case.pk).status == Status.ASSIGNED
    assert not AuditEntry.objects.filter(action="case.resolve").exists()


def test_it_reopens_a_resolved_case(world, login):
    case = make_case(department=world.service, assignee=world.alice)
    post(
        login(world.alice),
        "desk:transition",
        case,
        {
            "resolution_code": world.resolution_code.pk,
            "root_cause": world.root_cause.pk,
            "summary": "已处理",
        },
        action="resolve",
    )
    response = post(
        login(world.alice), "desk:transition", case, {"reason": "客户未收到退款"}, action="reopen"
    )
    assert_back_on_case(response, case)
    assert Case.objects.get(pk=case.pk).status == Status.IN_PROGRESS
    assert audited(case, "case.reopen")


def test_it_requires_a_reason_to_reject(world, login):
    case = make_case(department=world.service, assignee=world.alice)
    client = login(world.alice)
    response = post(client, "desk:transition", case, action="reject")
    assert_back_on_case(response, case)
    assert messages_of(response) == ["This field is required."]
    assert Case.objects.get(pk=case.pk).status == Status.ASSIGNED
    response = post(client, "desk:transition", case, {"reason": "不属于受理范围"}, action="reject")
    assert Case.objects.get(pk=case.pk).status == Status.REJECTED
    assert audited(case, "case.reject")


def test_it_shows_an_illegal_transition_as_a_message(world, login, alice_case):
    response = post(login(world.alice), "desk:transition", alice_case, action="close")
    assert_back_on_case(response, alice_case)
    [message] = messages_of(response)
    assert "cannot be moved" in message
    assert Case.objects.get(pk=alice_case.pk).status == Status.ASSIGNED


def test_it_shows_an_unknown_action_as_a_message(world, login, alice_case):
    response = post(login(world.alice), "desk:transition", alice_case, action="fly")
    assert_back_on_case(response, alice_case)
    assert "Unknown action" in messages_of(response)[0]


def test_it_refuses_a_note_on_a_closed_case_with_a_message(world, login):
    case = make_case(department=world.service, assignee=world.alice, status=Status.CLOSED)
    response = post(login(world.alice), "desk:reply", case, {"body": "还在吗"})
    assert_back_on_case(response, case)
    assert messages_of(response)
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.MESSAGE).exists()


@pytest.mark.parametrize(
    "name, data, kw",
    [
        ("desk:reply", {"body": "你好"}, {}),
        ("desk:note", {"body": "备注"}, {}),
        ("desk:update", {"severity": "major", "priority": "1"}, {}),
        ("desk:transition", {}, {"action": "start"}),
    ],
)
def test_it_refuses_compliance_officers(world, login, alice_case, name, data, kw):
    events = CaseEvent.objects.filter(case=alice_case).count()
    response = post(login(world.quinn), name, alice_case, data, **kw)
    assert_back_on_case(response, alice_case)
    assert "Compliance officers have read-only access." in messages_of(response)
    assert CaseEvent.objects.filter(case=alice_case).count() == events


def test_it_refuses_a_get_on_an_action(world, login, alice_case):
    response = login(world.alice).get(reverse("desk:note", args=[alice_case.number]))
    assert response.status_code == 405
