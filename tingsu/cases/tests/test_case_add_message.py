"""Public messages: staff replies and information added by the customer."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Case, CaseEvent, EventKind, Status
from tingsu.cases.services import Actor, case_add_message, case_add_note
from tingsu.core.errors import ErrorCode, TingsuError, ValidationFailed
from tingsu.core.testing import make_case, make_customer

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def snapshot(case):
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.first_response_at,
        fresh.updated_at,
        CaseEvent.objects.filter(case=case).count(),
        AuditEntry.objects.count(),
    )


def test_a_staff_reply_sets_the_first_response_time_once(world):
    case = make_case(department=world.service, assignee=world.alice)
    first = case_add_message(actor=Actor.staff(world.alice), case=case, body="您好，已收到。")
    responded = Case.objects.get(pk=case.pk).first_response_at
    assert responded is not None
    assert first.kind == EventKind.MESSAGE and first.is_public and first.author == world.alice
    audit = AuditEntry.objects.filter(action="case.message").latest("id")
    assert audit.actor == world.alice and audit.changes["event"] == first.pk
    assert audit.changes["status"] == "in_progress"
    assert audit.changes["first_response_at"] == responded.isoformat()

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        second = case_add_message(actor=Actor.staff(world.bob), case=case, body="补充说明。")
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.first_response_at == responded
    assert fresh.updated_at > responded
    assert second.kind == EventKind.MESSAGE
    audit = AuditEntry.objects.filter(action="case.message").latest("id")
    assert audit.changes == {"number": case.number, "event": second.pk}


def test_a_customer_message_does_not_count_as_a_first_response(world):
    customer = make_customer()
    case = make_case(customer=customer, department=world.service)
    event = case_add_message(actor=Actor.customer(customer), case=case, body="请尽快处理。")
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.first_response_at is None and fresh.status == Status.NEW
    assert event.author is None and event.author_type == "customer" and event.is_public
    audit = AuditEntry.objects.get(action="case.message")
    assert audit.actor is None and audit.actor_label == f"customer:{customer.pk}"


def test_a_customer_message_moves_a_waiting_case_back_to_work(world):
    customer = make_customer()
    case = make_case(
        customer=customer,
        department=world.service,
        assignee=world.alice,
        status=Status.WAITING_CUSTOMER,
    )
    photo = SimpleUploadedFile("照片.png", PNG, content_type="image/png")
    event = case_add_message(
        actor=Actor.customer(customer), case=case, body="照片见附件。", attachments=[photo]
    )
    assert Case.objects.get(pk=case.pk).status == Status.IN_PROGRESS
    assert event.attachments.get().filename == "照片.png"
    transition = CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).latest("id")
    assert transition.data == {"from": "waiting_customer", "to": "in_progress", "action": "message"}
    audit = AuditEntry.objects.filter(action="case.message").latest("id")
    assert audit.changes["status"] == "in_progress"


@pytest.mark.parametrize(
    "status", [Status.CLOSED, Status.WITHDRAWN, Status.REJECTED, Status.MERGED]
)
def test_it_refuses_a_customer_message_on_a_finished_case(world, status):
    customer = make_customer()
    case = make_case(customer=customer, department=world.service, status=status)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_add_message(actor=Actor.customer(customer), case=case, body="还有问题")
    assert exc.value.code == ErrorCode.INVALID_TRANSITION
    assert snapshot(case) == before


@pytest.mark.parametrize("body", ["", "   ", "很" * 20_001])
def test_it_refuses_an_empty_or_overlong_message(world, body):
    case = make_case(department=world.service)
    before = snapshot(case)
    with pytest.raises(ValidationFailed) as exc:
        case_add_message(actor=Actor.staff(world.alice), case=case, body=body)
    assert "body" in exc.value.detail
    assert snapshot(case) == before


def test_it_refuses_a_disallowed_attachment_and_saves_nothing(world):
    customer = make_customer()
    case = make_case(customer=customer, department=world.service)
    before = snapshot(case)
    bad = SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/x-msdos")
    with pytest.raises(ValidationFailed):
        case_add_message(actor=Actor.customer(customer), case=case, body="附件", attachments=[bad])
    assert snapshot(case) == before
    assert case.attachments.count() == 0


def test_it_refuses_a_reply_from_a_compliance_officer(world):
    case = make_case(department=world.service)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_add_message(actor=Actor.staff(world.quinn), case=case, body="合规查看")
    assert exc.value.code == ErrorCode.PERMISSION_DENIED
    assert snapshot(case) == before


def test_an_internal_note_is_private_and_changes_no_status(world):
    case = make_case(department=world.service, assignee=world.alice)
    note = case_add_note(actor=Actor.staff(world.alice), case=case, body="客户情绪激动，注意措辞")
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == Status.ASSIGNED and fresh.first_response_at is None
    assert note.kind == EventKind.NOTE and not note.is_public and note.author == world.alice
    audit = AuditEntry.objects.get(action="case.note")
    assert audit.changes == {"number": case.number, "event": note.pk}


def test_it_refuses_a_note_from_a_customer(world):
    customer = make_customer()
    case = make_case(customer=customer, department=world.service)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_add_note(actor=Actor.customer(customer), case=case, body="看看")
    assert exc.value.code == ErrorCode.NOT_AUTHENTICATED
    assert snapshot(case) == before
