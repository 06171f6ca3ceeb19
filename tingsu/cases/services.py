"""Every write to a case. Each service locks the case, changes it, and writes its timeline
event and audit entry in one transaction. Interfaces (portal, desk, API, channels, tasks)
call these and nothing else."""

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tingsu.accounts.models import Department, Role, User
from tingsu.audit.services import audit_batch, audit_record
from tingsu.cases.attachments import (
    content_type_for,
    safe_filename,
    storage_name,
    validate_attachments,
)
from tingsu.cases.models import (
    Attachment,
    AuthorType,
    Case,
    CaseEvent,
    Category,
    Channel,
    EventKind,
    Priority,
    ResolutionCode,
    RootCause,
    Severity,
    Status,
    Tag,
)
from tingsu.cases.numbering import next_case_number
from tingsu.cases.permissions import (
    check_assignee_eligible,
    check_can_assign,
    check_can_edit_fields,
    check_staff_can_act,
)
from tingsu.cases.row_writes import case_reloaded, case_row_held
from tingsu.cases.workflow import ACTIVE_STATUSES, TRANSITIONS, Action
from tingsu.core.config import config_scope
from tingsu.core.errors import ErrorCode, NotFound, TingsuError, ValidationFailed
from tingsu.customers.models import Customer
from tingsu.webhooks.services import webhook_batch, webhook_emit

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = ("subject", "category", "severity", "priority", "tags", "order_number")


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff user, the case's customer, or the system."""

    user: User | None = None
    author_type: AuthorType = AuthorType.SYSTEM
    label: str = ""

    @classmethod
    def staff(cls, user: User) -> "Actor":
        return cls(user=user, author_type=AuthorType.STAFF, label=user.get_username())

    @classmethod
    def customer(cls, customer: Customer) -> "Actor":
        return cls(author_type=AuthorType.CUSTOMER, label=f"customer:{customer.pk}")

    @classmethod
    def system(cls, label: str = "system") -> "Actor":
        return cls(author_type=AuthorType.SYSTEM, label=label)


def _event(
    case: Case,
    actor: Actor,
    kind: EventKind,
    *,
    body: str = "",
    is_public: bool = False,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    return _events(case, actor, (kind, {"body": body, "is_public": is_public, "data": data}))[0]


def _events(
    case: Case, actor: Actor, *specs: tuple[EventKind, dict[str, Any]] | None
) -> list[CaseEvent]:
    """The timeline events of one change, (kind, {body, is_public, data}) each, None
    skipped: written in one INSERT, ids set (RETURNING on both engines), in order."""
    events = [
        CaseEvent(
            case=case,
            kind=kind,
            author_type=actor.author_type,
            author=actor.user,
            is_public=fields.get("is_public", False),
            body=fields.get("body", ""),
            data=fields.get("data") or {},
        )
        for kind, fields in filter(None, specs)
    ]
    if len(events) == 1:
        events[0].save(force_insert=True)
    elif events:
        CaseEvent.objects.bulk_create(events)
    return events


def _audit(actor: Actor, action: str, case: Case, changes: dict[str, Any] | None = None) -> None:
    audit_record(
        actor=actor.user,
        action=action,
        obj=case,
        changes={"number": case.number, **(changes or {})},
        actor_label=actor.label,
    )


def _webhook(event: str, case: Case) -> None:
    """Queue the event for subscribed integrators, in this transaction (webhooks app)."""
    webhook_emit(event=event, case=case)


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _store_attachments(
    case: Case, event: CaseEvent, files: list[UploadedFile], *, is_public: bool
) -> list[Attachment]:
    stored = []
    for f in files:
        name = safe_filename(f.name or "file")
        att = Attachment(
            case=case,
            event=event,
            filename=name,
            content_type=content_type_for(name),
            size=f.size,
            is_public=is_public,
        )
        att.file.save(storage_name(name), f, save=False)
        att.save()
        stored.append(att)
    return stored


def _validate_text(field: str, value: str, *, label: str, max_chars: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(
            _("%(field)s is required.") % {"field": label}, {field: [_("This field is required.")]}
        )
    if len(value) > max_chars:
        raise ValidationFailed(
            _("%(field)s is too long.") % {"field": label},
            {
                field: [
                    _("Please keep it under %(n)d characters (it has %(len)d).")
                    % {"n": max_chars, "len": len(value)}
                ]
            },
        )
    return value


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Inside a change's transaction: read the configuration version once (core.config),
    send one webhook event per case as the change ends (webhooks.services.webhook_batch),
    and chain the audit entries together at the end, so the chain head is locked only
    just before commit (audit.services.audit_batch)."""
    with config_scope(), audit_batch(), webhook_batch():
        yield


def _unit_of_work(func):
    """A service function run as one unit_of_work()."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with unit_of_work():
            return func(*args, **kwargs)

    return wrapper


@transaction.atomic
@_unit_of_work
def case_create(
    *,
    actor: Actor,
    customer: Customer,
    channel: Channel,
    subject: str,
    description: str,
    category: Category | None = None,
    severity: Severity = Severity.NORMAL,
    priority: Priority = Priority.P3,
    department: Department | None = None,
    order_number: str = "",
    tags: list[str] | None = None,
    custom_fields: dict[str, Any] | None = None,
    attachments: list[UploadedFile] | None = None,
    idempotency_key: str | None = None,
    event_data: dict[str, Any] | None = None,
    defer_processing: bool = False,
) -> tuple[Case, bool]:
    """Create a case, or return the one already created with this idempotency key.

    `event_data` is added to the created event's data (channels: inbound record, reason).
    `defer_processing`: accept now, process later. The case, its created event, attachments
    and audit entry are written here; after commit a drain task is queued unless one is
    waiting (intake_batch.intake_wake), and the task worker then does what the inline mode
    does right away
    (`_process_intake`: webhook, notification, SLA timers, prediction, risk, routing,
    assignment). Until then the case is marked `intake_pending_since`.
    Returns (case, created).
    """
    attachments = attachments or []
    max_chars = settings.TINGSU["MAX_DESCRIPTION_CHARS"]
    description = _validate_text(
        "description", description, label=_("Description"), max_chars=max_chars
    )
    subject = (subject or "").strip() or description.splitlines()[0]
    subject = subject[:200]
    order_number = (order_number or "").strip()
    if len(order_number) > 64:
        raise ValidationFailed(
            _("Order number is too long."), {"order_number": [_("At most 64 characters.")]}
        )
    validate_attachments(attachments)
    if idempotency_key:
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing, False
    if department is None and category is not None:
        department = category.default_department
    try:
        # A savepoint only when a lost race on the key has to be recovered from.
        with transaction.atomic(savepoint=bool(idempotency_key)):
            case = Case.objects.create(
                number=next_case_number(),
                channel=channel,
                subject=subject,
                description=description,
                customer=customer,
                category=category,
                severity=severity,
                priority=priority,
                department=department,
                order_number=order_number,
                custom_fields=custom_fields or {},
                idempotency_key=idempotency_key or None,
                intake_pending_since=timezone.now() if defer_processing else None,
            )
    except IntegrityError:
        # A concurrent submit with the same key won the race.
        if idempotency_key:
            existing = Case.objects.filter(idempotency_key=idempotency_key).first()
            if existing:
                return existing, False
        raise
    if tags:
        case.tags.add(*_tags(tags))  # a new case: nothing to compare with, as set() would
    event = _event(
        case,
        actor,
        EventKind.CREATED,
        body=description,
        is_public=True,
        data={**(event_data or {}), "channel": channel, "subject": subject},
    )
    _store_attachments(case, event, attachments, is_public=True)
    _audit(actor, "case.create", case, {"channel": channel, "customer": customer.pk})
    if defer_processing:
        from tingsu.cases.intake_batch import intake_wake

        # After commit, so a drain that starts from now on reads this case (intake_batch).
        # A process killed before the wake leaves the case to the scheduler's retry.
        transaction.on_commit(intake_wake)
        return case, True
    return _process_intake(case), True


@transaction.atomic
@_unit_of_work
def case_process_intake(*, case_id: int) -> bool:
    """The deferred half of case_create (the task worker runs it): process a case accepted
    with `defer_processing`. Claims the pending mark first, so a second run (a task retried,
    or run twice) finds nothing to do and returns False."""
    claimed = Case.objects.filter(pk=case_id, intake_pending_since__isnull=False).update(
        intake_pending_since=None
    )
    if not claimed:
        return False
    # The claim's UPDATE holds the row lock until this transaction ends.
    case = Case.objects.select_related("customer", "category").get(pk=case_id)
    _process_intake(case)
    return True


def _process_intake(case: Case, *, also_write: tuple[str, ...] = ()) -> Case:
    """Everything after a case is accepted, in the caller's transaction: the same steps for
    the inline mode (case_create) and the deferred one (case_process_intake). The steps'
    changes to the case row are written in one UPDATE at the end (cases.row_writes), with
    the attnames of `also_write`."""
    with case_row_held(case, also=also_write):
        return _process_intake_steps(case)


def _process_intake_steps(case: Case) -> Case:
    _webhook("case.created", case)
    _notify().case_received(case)
    from tingsu.triage.learning.services import triage_predict_case

    # Proposals and risk first: the category and severity they set select the SLA policy,
    # so the timers start under it instead of being re-planned (an UPDATE, a timeline note
    # and an audit entry) a moment later.
    triage_predict_case(case=case)  # logged, never raised
    # The hooks change this very instance (it holds the row, locked by this transaction).
    case = _triage("on_case_assessed", case, in_place=True)
    _sla().sla_case_created(case=case)  # timers start at case.created_at
    # Routing may choose a policy for the timers just started.
    return _triage("on_case_routed", case, in_place=True)


def _triage(hook: str, case: Case, *, in_place: bool = False) -> Case:
    """Risk, routing and assignment (triage app) in a savepoint: logged, never raised.

    `in_place`: the hook changes the instance it is given, so it is read again only if the
    hook failed (its savepoint was rolled back)."""
    try:
        from tingsu.triage import hooks

        with transaction.atomic():
            getattr(hooks, hook)(case)
    except Exception:
        logger.exception("Triage %s failed for %s; the change itself went through", hook, case)
        in_place = False
    if not in_place:
        case_reloaded(case)  # the row, with the writes still held for it
    return case


def _tags(names: list[str]) -> list[Tag]:
    clean = sorted({n.strip()[:50] for n in names if n and n.strip()})
    # Most names exist already (routing rules add the same few): read first, and write
    # (and read again) only when some are new.
    found = list(Tag.objects.filter(name__in=clean))
    if len(found) == len(clean):
        return found
    Tag.objects.bulk_create([Tag(name=n) for n in clean], ignore_conflicts=True)
    return list(Tag.objects.filter(name__in=clean))


@transaction.atomic
def case_add_message(
    *,
    actor: Actor,
    case: Case,
    body: str,
    attachments: list[UploadedFile] | None = None,
    event_data: dict[str, Any] | None = None,
) -> CaseEvent:
    """A public message: a staff reply, or information added by the customer.

    `event_data` goes into the message event's data (channels: why it was threaded here).
    """
    attachments = attachments or []
    body = _validate_text(
        "body", body, label=_("Message"), max_chars=settings.TINGSU["MAX_DESCRIPTION_CHARS"]
    )
    validate_attachments(attachments)
    case = _lock(case)
    if actor.author_type == AuthorType.STAFF:
        check_staff_can_act(actor.user)
    if case.status in (Status.WITHDRAWN, Status.REJECTED, Status.MERGED, Status.CLOSED):
        raise TingsuError(
            ErrorCode.INVALID_TRANSITION,
            _("This case is %(status)s; messages can no longer be added.")
            % {"status": case.get_status_display()},
        )
    now = timezone.now()
    updates: dict[str, Any] = {}
    if actor.author_type == AuthorType.STAFF:
        if case.first_response_at is None:
            updates["first_response_at"] = now
        if case.status in (Status.NEW, Status.ASSIGNED):
            updates["status"] = Status.IN_PROGRESS
    elif actor.author_type == AuthorType.CUSTOMER and case.status == Status.WAITING_CUSTOMER:
        updates["status"] = Status.IN_PROGRESS
    _sla().sla_case_message(case=case, author_type=actor.author_type)
    if "status" in updates:
        _sla().sla_case_status_changed(case=case, old=case.status, new=updates["status"])
    event = _event(case, actor, EventKind.MESSAGE, body=body, is_public=True, data=event_data)
    _store_attachments(case, event, attachments, is_public=True)
    if "status" in updates:
        _event(
            case,
            actor,
            EventKind.TRANSITION,
            is_public=True,
            data={"from": case.status, "to": updates["status"], "action": "message"},
        )
    if updates:
        for k, v in updates.items():
            setattr(case, k, v)
        case.save(update_fields=[*updates, "updated_at"])
    _audit(actor, "case.message", case, {"event": event.pk, **_jsonable(updates)})
    if actor.author_type == AuthorType.STAFF:
        _notify().case_replied(case, message=body, cause=event.pk)
        _notify().staff_mentioned(case, text=body, actor=actor.user, cause=event.pk)
    elif actor.author_type == AuthorType.CUSTOMER:
        _triage("on_customer_message", case)
    return event


@transaction.atomic
def case_add_note(*, actor: Actor, case: Case, body: str) -> CaseEvent:
    if actor.author_type != AuthorType.SYSTEM:
        check_staff_can_act(actor.user)
    body = _validate_text(
        "body", body, label=_("Note"), max_chars=settings.TINGSU["MAX_DESCRIPTION_CHARS"]
    )
    case = _lock(case)
    event = _event(case, actor, EventKind.NOTE, body=body, is_public=False)
    case.save(update_fields=["updated_at"])
    _audit(actor, "case.note", case, {"event": event.pk})
    _notify().staff_mentioned(case, text=body, actor=actor.user, cause=event.pk)
    return event


def _require_active(case: Case) -> None:
    if case.status not in ACTIVE_STATUSES:
        raise TingsuError(
            ErrorCode.INVALID_TRANSITION,
            _("A %(status)s case cannot be changed this way.")
            % {"status": case.get_status_display()},
            {"status": case.status},
        )


@transaction.atomic
def case_assign(*, actor: Actor, case: Case, assignee: User) -> Case:
    check_staff_can_act(actor.user)
    case = _lock(case)
    _require_active(case)
    check_can_assign(actor.user, case, assignee)
    return _assign(actor, case, assignee)


def case_auto_assign(*, actor: Actor, case: Case, assignee: User, locked: bool = False) -> Case:
    """Assignment by the system (triage strategies); only the assignee is checked.

    `locked`: see case_update_fields."""
    if actor.author_type != AuthorType.SYSTEM:
        raise TingsuError(ErrorCode.PERMISSION_DENIED, _("Only the system assigns this way."))
    with transaction.atomic(savepoint=not locked):
        case = case if locked else _lock(case)
        _require_active(case)
        check_assignee_eligible(assignee)
        return _assign(actor, case, assignee)


def _assign(actor: Actor, case: Case, assignee: User) -> Case:
    old = case.assignee
    if old == assignee:
        return case
    case.assignee = assignee
    if assignee.department_id and case.department_id != assignee.department_id:
        case.department_id = assignee.department_id
    fields = ["assignee", "department", "updated_at"]
    old_status = case.status
    if case.status == Status.NEW:
        case.status = Status.ASSIGNED
        fields.append("status")
    case.save(update_fields=fields)
    data = {
        "from": old.pk if old else None,
        "from_label": old.label if old else "",
        "to": assignee.pk,
        "to_label": assignee.label,
    }
    transition = {"from": old_status, "to": case.status, "action": "assign"}
    assigned, *_rest = _events(
        case,
        actor,
        (EventKind.ASSIGNED, {"data": data}),
        (EventKind.TRANSITION, {"is_public": True, "data": transition})
        if old_status != case.status
        else None,
    )
    _audit(actor, "case.assign", case, data)
    _webhook("case.updated", case)
    _notify().staff_assigned(case, assignee=assignee, actor=actor.user, cause=assigned.pk)
    return case


@transaction.atomic
def case_transfer(*, actor: Actor, case: Case, department: Department, reason: str) -> Case:
    """Hand the case to another department's queue, unassigned, with a reason."""
    check_staff_can_act(actor.user)
    reason = _validate_text("reason", reason, label=_("Reason"), max_chars=2000)
    case = _lock(case)
    _require_active(case)
    if case.department_id == department.pk:
        raise ValidationFailed(
            _("The case is already in this department."),
            {"department": [_("Choose another department.")]},
        )
    if not department.is_active:
        raise ValidationFailed(
            _("%(name)s no longer takes cases.") % {"name": department},
            {"department": [_("Choose an active department.")]},
        )
    old_dept = case.department
    old_status = case.status
    case.department = department
    case.assignee = None
    if case.status in (Status.ASSIGNED, Status.IN_PROGRESS):
        case.status = Status.NEW
    case.save(update_fields=["department", "assignee", "status", "updated_at"])
    data = {
        "from": old_dept.pk if old_dept else None,
        "from_label": str(old_dept or ""),
        "to": department.pk,
        "to_label": str(department),
        "reason": reason,
    }
    transition = {"from": old_status, "to": case.status, "action": "transfer"}
    transferred, *_rest = _events(
        case,
        actor,
        (EventKind.TRANSFERRED, {"body": reason, "data": data}),
        (EventKind.TRANSITION, {"data": transition}) if old_status != case.status else None,
    )
    _audit(actor, "case.transfer", case, data)
    _webhook("case.updated", case)
    _notify().staff_transferred(case, actor=actor.user, reason=reason, cause=transferred.pk)
    _triage("on_case_transferred", case)
    return case


def case_route(
    *, actor: Actor, case: Case, department: Department, reason: str, locked: bool = False
) -> Case:
    """Routing (triage) puts an unassigned case into a department's queue. The event is a
    transfer marked `routed`, so it does not count as a bounce.

    `locked`: see case_update_fields."""
    with transaction.atomic(savepoint=not locked):
        return _route(actor, case if locked else _lock(case), department, reason)


def _route(actor: Actor, case: Case, department: Department, reason: str) -> Case:
    _require_active(case)
    if case.department_id == department.pk or case.assignee_id is not None:
        return case
    old_dept = case.department
    case.department = department
    case.save(update_fields=["department", "updated_at"])
    data = {
        "from": old_dept.pk if old_dept else None,
        "from_label": str(old_dept or ""),
        "to": department.pk,
        "to_label": str(department),
        "reason": reason,
        "routed": True,
    }
    _event(case, actor, EventKind.TRANSFERRED, body=reason, data=data)
    _audit(actor, "case.route", case, data)
    return case


@transaction.atomic
def case_return_to_pool(*, actor: Actor, case: Case, reason: str) -> Case:
    """Clear the assignee of a not-yet-started case; it goes back to its department's pool."""
    case = _lock(case)
    if case.assignee_id is None or case.status not in (Status.NEW, Status.ASSIGNED):
        return case
    old = case.assignee
    old_status = case.status
    case.assignee = None
    case.status = Status.NEW
    case.save(update_fields=["assignee", "status", "updated_at"])
    data = {"from": old.pk, "from_label": old.label, "to": None, "to_label": "", "reason": reason}
    transition = {"from": old_status, "to": case.status, "action": "return_to_pool"}
    _events(
        case,
        actor,
        (EventKind.ASSIGNED, {"body": reason, "data": data}),
        (EventKind.TRANSITION, {"data": transition}) if old_status != case.status else None,
    )
    _audit(actor, "case.return_to_pool", case, data)
    _webhook("case.updated", case)
    return case


def _display(field: str, value: Any) -> Any:
    if field == "category":
        return str(value) if value else ""
    if field == "tags":
        return sorted(value)
    return value


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, {field: [message]})


def _clean_change(field: str, value: Any) -> Any:
    """Check one editable field's new value and return it in its model form."""
    if field == "subject":
        return _validate_text("subject", value, label=_("Subject"), max_chars=200)
    if field == "order_number":
        value = (value or "").strip()
        if len(value) > 64:
            raise _invalid("order_number", _("Order number is too long (at most 64 characters)."))
        return value
    if field == "severity":
        if value not in Severity.values:
            raise _invalid("severity", _("Choose a valid severity."))
        return Severity(value)
    if field == "priority":
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if isinstance(value, bool) or number not in Priority.values:
            raise _invalid("priority", _("Choose a valid priority."))
        return Priority(number)
    if field == "category":
        if value is not None and (not isinstance(value, Category) or not value.is_active):
            raise _invalid("category", _("Choose an active category."))
        return value
    if field == "tags":
        return sorted({n.strip()[:50] for n in (value or []) if n and n.strip()})
    return value


def case_update_fields(
    *, actor: Actor, case: Case, changes: dict[str, Any], locked: bool = False
) -> Case:
    """Change editable fields. Unknown or protected fields are refused, not ignored.

    `changes` holds model values: a Category for category, a list of names for tags.
    `locked=True` says `case` is already locked by this transaction and current (e.g. the
    case it just created): it is changed and returned as it is, not read and locked again,
    and without a savepoint of its own (the caller's savepoint or transaction takes back
    a failure).
    """
    with transaction.atomic(savepoint=not locked):
        return _update_fields(actor=actor, case=case, changes=changes, locked=locked)


def _update_fields(*, actor: Actor, case: Case, changes: dict[str, Any], locked: bool) -> Case:
    refused = sorted(set(changes) - set(EDITABLE_FIELDS))
    if refused:
        raise TingsuError(
            ErrorCode.FIELD_NOT_EDITABLE,
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(refused)},
            {f: [_("This field cannot be changed.")] for f in refused},
        )
    if actor.author_type != AuthorType.SYSTEM:
        check_can_edit_fields(actor.user, list(changes))
    # Every value is checked before anything is written, so a bad one changes nothing.
    changes = {field: _clean_change(field, value) for field, value in changes.items()}
    case = case if locked else _lock(case)
    if case.status in (Status.MERGED, Status.WITHDRAWN, Status.REJECTED, Status.CLOSED):
        raise TingsuError(
            ErrorCode.INVALID_TRANSITION,
            _("A %(status)s case cannot be edited.") % {"status": case.get_status_display()},
        )
    diffs: dict[str, dict[str, Any]] = {}
    update_fields = []
    for field, new in changes.items():
        if field == "tags":
            # .all() uses tags a caller prefetched (routing does); set() would read them again.
            current = {tag.name: tag for tag in case.tags.all()}
            old_names = sorted(current)
            if old_names != new:
                gone = [tag for name, tag in current.items() if name not in new]
                if gone:
                    case.tags.remove(*gone)
                added = [name for name in new if name not in current]
                if added:
                    case.tags.add(*_tags(added))
                diffs["tags"] = {"old": old_names, "new": new}
            continue
        old = getattr(case, field)
        if old != new:
            setattr(case, field, new)
            update_fields.append(field)
            diffs[field] = {"old": _display(field, old), "new": _display(field, new)}
    if not diffs:
        return case
    if update_fields:
        case.save(update_fields=[*update_fields, "updated_at"])
    _events(
        case,
        actor,
        *(
            (EventKind.FIELD_CHANGED, {"data": {"field": field, **_jsonable(diff)}})
            for field, diff in diffs.items()
        ),
    )
    _sla().sla_case_fields_changed(case=case, fields=list(diffs))
    _audit(actor, "case.update", case, _jsonable(diffs))
    _webhook("case.updated", case)
    if {"category", "severity"} & set(diffs):
        from tingsu.triage.learning.services import triage_record_corrections

        triage_record_corrections(case=case, actor=actor, diffs=diffs)
    return case


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


@transaction.atomic
def case_transition(
    *,
    actor: Actor,
    case: Case,
    action: Action | str,
    resolution_code: ResolutionCode | None = None,
    root_cause: RootCause | None = None,
    summary: str = "",
    reason: str = "",
) -> Case:
    """Move the case through the workflow. An illegal move raises and changes nothing."""
    try:
        action = Action(action)
    except ValueError:
        raise TingsuError(
            ErrorCode.INVALID_TRANSITION,
            _("Unknown action: %(action)s") % {"action": action},
            {"allowed": [a.value for a in Action]},
        ) from None
    if actor.author_type == AuthorType.STAFF:
        check_staff_can_act(actor.user)
    elif actor.author_type == AuthorType.CUSTOMER and action not in (
        Action.REOPEN,
        Action.WITHDRAW,
    ):
        raise TingsuError(ErrorCode.PERMISSION_DENIED, _("Customers cannot do this."))
    transition = TRANSITIONS[action]
    case = _lock(case)
    if case.status not in transition.sources:
        raise TingsuError(
            ErrorCode.INVALID_TRANSITION,
            _("A case that is %(status)s cannot be moved with “%(action)s”.")
            % {"status": case.get_status_display(), "action": transition.label},
            {
                "status": case.status,
                "action": action.value,
                "allowed_from": sorted(transition.sources),
            },
        )
    now = timezone.now()
    updates: dict[str, Any] = {"status": transition.target}
    event_data: dict[str, Any] = {"action": action.value}
    body = ""
    if action == Action.RESOLVE:
        errors: dict[str, list[str]] = {}
        if resolution_code is None or not resolution_code.is_active:
            errors["resolution_code"] = [_("Choose a resolution code.")]
        if root_cause is None or not root_cause.is_active:
            errors["root_cause"] = [_("Choose a root cause.")]
        summary = (summary or "").strip()
        if not summary:
            errors["summary"] = [_("Write a resolution summary for the customer.")]
        if errors:
            raise ValidationFailed(
                _("Resolving needs a resolution code, a root cause and a summary."), errors
            )
        days = settings.TINGSU["AUTO_CLOSE_AFTER_DAYS"]
        updates.update(
            resolution_code=resolution_code,
            root_cause=root_cause,
            resolution_summary=summary,
            resolved_at=now,
            auto_close_at=now + timedelta(days=days),
        )
        if case.first_response_at is None:
            updates["first_response_at"] = now
        body = summary
        event_data.update(resolution_code=resolution_code.code, root_cause=root_cause.code)
    elif action == Action.CLOSE:
        updates.update(closed_at=now, auto_close_at=None)
    elif action == Action.REOPEN:
        window = timedelta(days=settings.TINGSU["REOPEN_WINDOW_DAYS"])
        since = case.resolved_at or case.closed_at
        if since is None or now - since > window:
            raise TingsuError(
                ErrorCode.REOPEN_WINDOW_CLOSED,
                _("This case can only be reopened within %(days)d days of being resolved.")
                % {"days": window.days},
                {"resolved_at": since.isoformat() if since else None},
            )
        updates.update(
            status=Status.IN_PROGRESS if case.assignee_id else Status.NEW,
            resolved_at=None,
            closed_at=None,
            auto_close_at=None,
            reopen_count=case.reopen_count + 1,
        )
        body = (reason or "").strip()
    elif action in (Action.REJECT, Action.WITHDRAW):
        reason = (reason or "").strip()
        if action == Action.REJECT and not reason:
            raise ValidationFailed(
                _("Rejecting a complaint needs a reason for the customer."),
                {"reason": [_("This field is required.")]},
            )
        updates.update(closed_at=now)
        body = reason
    # Conditional update: if another request moved the case meanwhile, nothing changes.
    moved = Case.objects.filter(pk=case.pk, status=case.status).update(updated_at=now, **updates)
    if moved != 1:
        raise TingsuError(ErrorCode.CONFLICT, _("The case changed meanwhile; please reload."))
    old_status = case.status
    for k, v in updates.items():
        setattr(case, k, v)
    case.updated_at = now
    _sla().sla_case_status_changed(case=case, old=old_status, new=case.status)
    moved_event = _event(
        case,
        actor,
        EventKind.TRANSITION,
        body=body,
        is_public=True,
        data={"from": old_status, "to": case.status, **event_data},
    )
    _audit(actor, f"case.{action.value}", case, {"from": old_status, "to": case.status})
    _webhook("case.resolved" if action == Action.RESOLVE else "case.updated", case)
    _notify().case_transitioned(case, action=action, message=body, cause=moved_event.pk)
    return case


@transaction.atomic
def case_merge(*, actor: Actor, case: Case, into: Case) -> Case:
    """Merge a duplicate into another open case of the same customer."""
    check_staff_can_act(actor.user)
    if case.pk == into.pk:
        raise ValidationFailed(_("A case cannot be merged into itself."), {"into": []})
    first, second = sorted([case, into], key=lambda c: c.pk)
    locked = {c.pk: c for c in (_lock(first), _lock(second))}
    case, into = locked[case.pk], locked[into.pk]
    _require_active(case)
    if into.status not in ACTIVE_STATUSES:
        raise TingsuError(ErrorCode.INVALID_TRANSITION, _("The target case is no longer open."))
    if case.customer_id != into.customer_id:
        raise ValidationFailed(
            _("Only cases of the same customer can be merged."),
            {"into": [_("Choose another case of this customer.")]},
        )
    old_status = case.status
    case.status = Status.MERGED
    case.merged_into = into
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "merged_into", "closed_at", "updated_at"])
    _sla().sla_case_status_changed(case=case, old=old_status, new=case.status)
    _event(
        case,
        actor,
        EventKind.MERGED,
        is_public=True,
        data={"from": old_status, "to": Status.MERGED, "into": into.number},
    )
    _event(into, actor, EventKind.MERGED, data={"merged": case.number})
    _audit(actor, "case.merge", case, {"into": into.number})
    return case


def _notify():
    # Imported late: the channels app imports cases.
    from tingsu.channels import notify

    return notify


def _sla():
    # Imported late: the sla app imports cases. Timers move inside the caller's transaction.
    from tingsu.sla import services

    return services


def resolve_staff(*, user_id: int) -> User:
    user = User.objects.filter(pk=user_id, is_active=True).exclude(role=Role.COMPLIANCE).first()
    if user is None:
        raise NotFound(_("No such staff member."))
    return user


def cases_reassign_customer(*, actor: Actor, source: Customer, target: Customer) -> list[Case]:
    """Move every case of `source` to `target` (a customer merge), each with a timeline
    event and an audit entry. Runs inside the merge's transaction, which locks both."""
    assert transaction.get_connection().in_atomic_block, "call inside the merge's transaction"
    cases = list(Case.objects.select_for_update().filter(customer=source).order_by("pk"))
    if not cases:
        return []
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(
        customer=target, updated_at=timezone.now()
    )
    old, new = f"{source.name} (#{source.pk})", f"{target.name} (#{target.pk})"
    body = _("Customer merged: %(source)s → %(target)s") % {"source": old, "target": new}
    data = {"field": "customer", "old": old, "new": new, "from": source.pk, "to": target.pk}
    for case in cases:
        case.customer = target
        _event(case, actor, EventKind.FIELD_CHANGED, body=body, data=data)
        _audit(actor, "case.customer_merge", case, {"from": source.pk, "to": target.pk})
    return cases
