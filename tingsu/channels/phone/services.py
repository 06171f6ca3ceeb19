"""Writes of the phone channel: calls reported by the CTI webhook, complaints an agent
takes on the phone, and call-back tasks."""

import logging
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tingsu.accounts.models import Role, User
from tingsu.audit.services import audit_record
from tingsu.cases.models import Case, Category, Channel, Severity
from tingsu.cases.permissions import check_staff_can_act
from tingsu.cases.services import Actor, case_assign, case_create
from tingsu.channels.contracts import Identity, InboundMessage
from tingsu.channels.inbound import inbound_receive
from tingsu.channels.models import InboundRecord
from tingsu.channels.phone.cti import CtiCall
from tingsu.channels.phone.models import CallbackStatus, CallbackTask
from tingsu.channels.phone.selectors import customer_by_phone, inbound_outcome
from tingsu.core.errors import ErrorCode, TingsuError, ValidationFailed
from tingsu.customers.phones import phone_normalise
from tingsu.customers.services import customer_resolve

logger = logging.getLogger("tingsu.channels.phone")


@dataclass
class CallResult:
    """What the CTI webhook answers; a repeated delivery answers the same, duplicate=True."""

    call_id: str
    outcome: str  # "created" | "appended" | "callback" | "rejected"
    case_number: str = ""
    callback_id: int | None = None
    reason: str = ""
    duplicate: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _agent(username: str) -> User | None:
    if not username:
        return None
    return (
        User.objects.filter(username=username, is_active=True)
        .exclude(role=Role.COMPLIANCE)
        .select_related("department")
        .first()
    )


def cti_call_receive(*, call: CtiCall) -> CallResult:
    """A call the CTI reported: its transcript becomes a case (or joins the caller's open
    one) through the inbound service; a call without a transcript becomes a call-back."""
    if call.transcript:
        return _call_with_transcript(call)
    return _call_without_transcript(call)


def _call_with_transcript(call: CtiCall) -> CallResult:
    agent = _agent(call.agent)
    message = InboundMessage(
        channel=Channel.PHONE,
        identity=Identity(phone=call.caller),
        body=call.transcript,
        external_id=call.call_id,
        received_at=call.started_at,
        meta={
            "called": call.called,
            "started_at": call.started_at.isoformat(),
            "duration_seconds": call.duration_seconds,
            "recording_url": call.recording_url,
            "agent": call.agent,
        },
    )
    result = inbound_receive(message=message)
    if result.outcome == "duplicate_delivery":
        outcome, reason = inbound_outcome(record_id=result.record_id)
        return CallResult(
            call.call_id, outcome, case_number=result.case_number, reason=reason, duplicate=True
        )
    if result.outcome == "created" and agent is not None:
        # The agent who took the call owns the case; the case stands even if they may not.
        case = Case.objects.get(number=result.case_number)
        try:
            case_assign(actor=Actor.staff(agent), case=case, assignee=agent)
        except TingsuError as exc:
            logger.info("Call %s: %s not assigned: %s", call.call_id, case.number, exc.message)
    if result.case_number:
        # The transcript answers an earlier call-back for the same call.
        case = Case.objects.get(number=result.case_number)
        _callbacks_close_by_call(call_id=call.call_id, case=case)
    return CallResult(
        call.call_id, result.outcome, case_number=result.case_number, reason=result.reason
    )


def _callbacks_close_by_call(*, call_id: str, case: Case) -> None:
    with transaction.atomic():
        task = CallbackTask.objects.filter(call_id=call_id, status=CallbackStatus.OPEN).first()
        if task is None:
            return
        updated = CallbackTask.objects.filter(pk=task.pk, status=CallbackStatus.OPEN).update(
            status=CallbackStatus.DONE, done_at=timezone.now(), case=case
        )
        if updated:
            audit_record(
                actor=None,
                action="callback.done",
                obj=task,
                changes={"call_id": call_id, "case": case.number, "by": "transcript"},
                actor_label="cti",
            )


def _due_at(call: CtiCall):
    hours = float(settings.TINGSU.get("CALLBACK_DUE_HOURS", 2))
    return call.started_at + timedelta(hours=hours)


def _call_without_transcript(call: CtiCall) -> CallResult:
    earlier = _earlier_result(call.call_id)
    if earlier:
        return earlier
    agent = _agent(call.agent)
    try:
        with transaction.atomic():
            task = CallbackTask.objects.create(
                call_id=call.call_id,
                caller=call.caller,
                called=call.called,
                started_at=call.started_at,
                duration_seconds=call.duration_seconds,
                recording_url=call.recording_url,
                customer=customer_by_phone(phone=call.caller),
                assignee=agent,
                department=agent.department if agent else None,
                due_at=_due_at(call),
            )
            audit_record(
                actor=None,
                action="callback.create",
                obj=task,
                changes={
                    "call_id": call.call_id,
                    "caller": call.caller,
                    "customer": task.customer_id,
                    "assignee": agent.pk if agent else None,
                },
                actor_label="cti",
            )
    except IntegrityError:
        # A concurrent delivery of the same call won the race.
        earlier = _earlier_result(call.call_id)
        if earlier:
            return earlier
        raise
    return CallResult(call.call_id, "callback", callback_id=task.pk)


def _earlier_result(call_id: str) -> CallResult | None:
    task = CallbackTask.objects.filter(call_id=call_id).select_related("case").first()
    if task is not None:
        return CallResult(call_id, "callback", callback_id=task.pk, duplicate=True)
    record = (
        InboundRecord.objects.filter(channel=Channel.PHONE, external_id=call_id)
        .select_related("case")
        .first()
    )
    if record is not None:
        outcome, reason = inbound_outcome(record_id=record.pk)
        return CallResult(
            call_id,
            outcome,
            case_number=record.case.number if record.case_id else "",
            reason=reason,
            duplicate=True,
        )
    return None


@transaction.atomic
def callback_done(*, user: User, task: CallbackTask, case: Case | None = None) -> CallbackTask:
    """Mark a call-back made (and, when it became a case, which one)."""
    check_staff_can_act(user)
    updated = CallbackTask.objects.filter(pk=task.pk, status=CallbackStatus.OPEN).update(
        status=CallbackStatus.DONE, done_at=timezone.now(), done_by=user, case=case
    )
    if not updated:
        raise TingsuError(ErrorCode.CONFLICT, _("This call-back is already done."))
    task.refresh_from_db()
    audit_record(
        actor=user,
        action="callback.done",
        obj=task,
        changes={"call_id": task.call_id, "case": case.number if case else ""},
    )
    return task


@transaction.atomic
def phone_complaint_create(
    *,
    user: User,
    caller: str,
    name: str,
    description: str,
    category: Category | None = None,
    severity: Severity = Severity.NORMAL,
    order_number: str = "",
    idempotency_key: str | None = None,
    callback: CallbackTask | None = None,
) -> Case:
    """A complaint an agent takes on the phone: the caller's customer record (found by
    number or created), a phone case in the agent's department, assigned to the agent."""
    check_staff_can_act(user)
    if not phone_normalise(caller):
        message = _("Enter the caller's number.")
        raise ValidationFailed(message, {"caller": [message]})
    customer = customer_resolve(name=name, phone=caller)
    actor = Actor.staff(user)
    case, created = case_create(
        actor=actor,
        customer=customer,
        channel=Channel.PHONE,
        subject="",
        description=description,
        category=category,
        severity=severity,
        department=user.department if user.department_id else None,
        order_number=order_number,
        idempotency_key=idempotency_key,
    )
    if not created:
        return case
    case = case_assign(actor=actor, case=case, assignee=user)
    if callback is not None:
        callback_done(user=user, task=callback, case=case)
    return case
