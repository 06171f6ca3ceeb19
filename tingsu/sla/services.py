"""SLA timers: started, stopped, paused and recomputed from cases.services (inside its
transaction), and warned/breached by the scheduler.

A timer's `due_at` already includes its pauses: on resume it moves forward by the paused
time as the policy's unit counts it. `next_check_at` is the next warning point or the
deadline, and is empty while the timer is paused, stopped or already breached.
"""

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tingsu.accounts.models import Role, User
from tingsu.audit.services import audit_record
from tingsu.cases.models import OPEN_STATUSES, AuthorType, Case, CaseEvent, EventKind, Priority
from tingsu.core.claims import claim_oldest_due
from tingsu.core.config import cached
from tingsu.core.errors import ErrorCode, NotFound, TingsuError, ValidationFailed

from . import clock
from .calendars import calendar_load
from .models import (
    SlaCasePolicy,
    SlaExtension,
    SlaPolicy,
    SlaTimer,
    TimerKind,
)

SYSTEM_LABEL = "sla"
logger = logging.getLogger("tingsu.sla")


def _active_policies() -> list[SlaPolicy]:
    """Active policies by order, with their calendars: cached per process until a policy
    changes (tingsu.core.config). Read-only."""
    return cached(
        "sla.active_policies",
        lambda: list(
            SlaPolicy.objects.filter(is_active=True)
            .select_related("calendar")
            .order_by("order", "id")
        ),
    )


def policies_by_key() -> dict[str, SlaPolicy]:
    """Every policy (active or not) by key, with its calendar; cached like the above."""
    return cached(
        "sla.policies_by_key",
        lambda: {p.key: p for p in SlaPolicy.objects.select_related("calendar")},
    )


def policy_select(*, case: Case, chosen: bool = True) -> SlaPolicy | None:
    """The policy chosen for this case (sla_case_set_policy), else the first active policy,
    by order, whose every set condition matches the case. `chosen=False` skips the first
    look-up (a case created in this transaction has no chosen policy yet)."""
    if chosen:
        picked = (
            SlaCasePolicy.objects.filter(case_id=case.pk).select_related("policy__calendar").first()
        )
        if picked is not None:
            return picked.policy
    category_ids = [case.category_id] if case.category_id else []
    if case.category_id and case.category.parent_id:
        category_ids.append(case.category.parent_id)
    tier = case.customer.tier
    for policy in _active_policies():
        if (
            policy.severity in ("", case.severity)
            and (policy.category_id is None or policy.category_id in category_ids)
            and policy.customer_tier in ("", tier)
            and policy.channel in ("", case.channel)
        ):
            return policy
    return None


def _calendar(policy: SlaPolicy, start: datetime) -> clock.Calendar:
    return calendar_load(policy.calendar, around=start.astimezone(clock.Calendar().tz).date())


def _next_check(timer: SlaTimer, cal: clock.Calendar) -> datetime | None:
    """The earliest warning point not yet warned, else the deadline; None if nothing is left."""
    if timer.stopped_at or timer.paused_at or timer.breached_at:
        return None
    total = clock.measure(cal, timer.unit, timer.started_at, timer.due_at)
    points = [
        clock.shift(cal, timer.unit, timer.started_at, float(level) * total)
        for level in timer.policy.warning_thresholds
        if str(level) not in timer.warned_levels
    ]
    return min([*points, timer.due_at])


def sla_note(
    case: Case, body: str, data: dict[str, Any], *, author: User | None = None
) -> CaseEvent:
    # A staff-only note, by the system unless a person acted: the timeline shows it without
    # a new event kind.
    return CaseEvent.objects.create(
        case=case,
        kind=EventKind.NOTE,
        author_type=AuthorType.STAFF if author else AuthorType.SYSTEM,
        author=author,
        is_public=False,
        body=body,
        data={"sla": data},
    )


def sla_audit(
    case: Case, action: str, changes: dict[str, Any], *, actor: User | None = None
) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=case,
        changes={"number": case.number, **changes},
        actor_label="" if actor else SYSTEM_LABEL,
    )


def _new_timer(case: Case, policy: SlaPolicy, kind: str, start: datetime) -> SlaTimer | None:
    """An unsaved timer of this kind under the policy, or None if it sets no target."""
    unit, value = policy.target(kind)
    if not value:
        return None
    cal = _calendar(policy, start)
    timer = SlaTimer(
        case=case,
        kind=kind,
        policy=policy,
        unit=unit,
        started_at=start,
        due_at=clock.add(cal, start, unit, value),
    )
    timer.next_check_at = _next_check(timer, cal)
    return timer


def _start(case: Case, policy: SlaPolicy, kind: str, start: datetime) -> SlaTimer | None:
    timer = _new_timer(case, policy, kind, start)
    if timer is not None:
        timer.save()
    return timer


def _open(case: Case, *kinds: str):
    return SlaTimer.objects.filter(case=case, kind__in=kinds, stopped_at__isnull=True)


def sla_case_created(*, case: Case) -> list[SlaTimer]:
    policy = policy_select(case=case, chosen=False)
    if policy is None:
        return []
    timers = [
        _new_timer(case, policy, kind, case.created_at)
        for kind in (TimerKind.FIRST_RESPONSE, TimerKind.RESOLUTION)
    ]
    return SlaTimer.objects.bulk_create([t for t in timers if t])


def _stop(timers, now: datetime) -> int:
    return timers.update(stopped_at=now, next_check_at=None)


def sla_case_message(*, case: Case, author_type: str) -> None:
    """A staff reply answers the customer; a customer message asks for the next answer."""
    now = timezone.now()
    if author_type == AuthorType.STAFF:
        _stop(_open(case, TimerKind.FIRST_RESPONSE, TimerKind.NEXT_RESPONSE), now)
    elif author_type == AuthorType.CUSTOMER:
        if _open(case, TimerKind.FIRST_RESPONSE, TimerKind.NEXT_RESPONSE).exists():
            return
        policy = policy_select(case=case)
        if policy is not None:
            _start(case, policy, TimerKind.NEXT_RESPONSE, now)


def _pause(case: Case, now: datetime) -> None:
    paused = _open(case, TimerKind.RESOLUTION).filter(paused_at__isnull=True)
    if paused.update(paused_at=now, next_check_at=None):
        sla_note(case, _("SLA paused: waiting for the customer."), {"action": "paused"})
        sla_audit(case, "sla.pause", {"at": now.isoformat()})


def _resume(case: Case, now: datetime) -> None:
    for timer in (
        _open(case, TimerKind.RESOLUTION)
        .filter(paused_at__isnull=False)
        .select_related("policy__calendar")
    ):
        cal = _calendar(timer.policy, timer.paused_at)
        paused = clock.measure(cal, timer.unit, timer.paused_at, now)
        timer.due_at = clock.shift(cal, timer.unit, timer.due_at, paused)
        timer.paused_total += paused
        timer.paused_at = None
        timer.next_check_at = _next_check(timer, cal)
        timer.save(update_fields=["due_at", "paused_total", "paused_at", "next_check_at"])
        sla_note(
            case,
            _("SLA resumed; the deadline moved to %(due)s.")
            % {"due": timezone.localtime(timer.due_at).strftime("%Y-%m-%d %H:%M")},
            {"action": "resumed", "due_at": timer.due_at.isoformat(), "paused_seconds": paused},
        )
        sla_audit(case, "sla.resume", {"due_at": timer.due_at.isoformat()})


@transaction.atomic
def sla_case_pause(*, case: Case, user: User, reason: str) -> bool:
    """Stop the resolution clock while the case waits on an outside party (an appraisal,
    a test report). Needs a reason; shown on the timeline. Returns False if nothing ran."""
    from tingsu.cases.permissions import check_staff_can_act

    check_staff_can_act(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Pausing the SLA clock needs a reason."), {"reason": [_("This field is required.")]}
        )
    case = Case.objects.select_for_update().get(pk=case.pk)
    now = timezone.now()
    if (
        not _open(case, TimerKind.RESOLUTION)
        .filter(paused_at__isnull=True)
        .update(paused_at=now, next_check_at=None)
    ):
        return False
    sla_note(
        case,
        _("SLA paused: %(reason)s") % {"reason": reason},
        {"action": "paused", "reason": reason},
    )
    sla_audit(case, "sla.pause", {"reason": reason}, actor=user)
    return True


@transaction.atomic
def sla_case_resume(*, case: Case, user: User) -> bool:
    """Restart a paused resolution clock; the deadline moves by the paused time."""
    from tingsu.cases.permissions import check_staff_can_act

    check_staff_can_act(user)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not _open(case, TimerKind.RESOLUTION).filter(paused_at__isnull=False).exists():
        return False
    _resume(case, timezone.now())
    return True


def sla_case_status_changed(*, case: Case, old: str, new: str) -> None:
    from tingsu.cases.models import Status

    now = timezone.now()
    if new == Status.WAITING_CUSTOMER:
        _pause(case, now)
    elif old == Status.WAITING_CUSTOMER and new in (Status.IN_PROGRESS, Status.ASSIGNED):
        _resume(case, now)
    if new in (Status.RESOLVED, Status.CLOSED, Status.WITHDRAWN, Status.REJECTED, Status.MERGED):
        _stop(_open(case, *TimerKind.values), now)
    elif old in (Status.RESOLVED, Status.CLOSED) and new not in (Status.RESOLVED, Status.CLOSED):
        # Reopened: a fresh resolution clock from now.
        policy = policy_select(case=case)
        if policy is not None and not _open(case, TimerKind.RESOLUTION).exists():
            _start(case, policy, TimerKind.RESOLUTION, now)


def _replan(case: Case, timer: SlaTimer, policy: SlaPolicy) -> None:
    """Move an open timer to another policy: the deadline is recomputed from the timer's
    original start, and the time it was paused is still added (elapsed time is kept)."""
    unit, value = policy.target(timer.kind)
    cal = _calendar(policy, timer.started_at)
    old_due = timer.due_at
    timer.policy, timer.unit = policy, unit
    timer.due_at = clock.shift(
        cal, unit, clock.add(cal, timer.started_at, unit, value), timer.paused_total
    )
    timer.warned_levels = [
        w for w in timer.warned_levels if float(w) in map(float, policy.warning_thresholds)
    ]
    if timer.breached_at and timer.due_at > timezone.now():
        timer.breached_at = None
    timer.next_check_at = _next_check(timer, cal)
    timer.save()
    sla_note(
        case,
        _("SLA policy changed to %(policy)s; %(kind)s now due %(due)s.")
        % {
            "policy": policy.name,
            "kind": timer.get_kind_display(),
            "due": timezone.localtime(timer.due_at).strftime("%Y-%m-%d %H:%M"),
        },
        {"action": "recomputed", "kind": timer.kind, "policy": policy.key},
    )
    sla_audit(
        case,
        "sla.recompute",
        {
            "kind": timer.kind,
            "policy": policy.key,
            "old": old_due.isoformat(),
            "new": timer.due_at.isoformat(),
        },
    )


def sla_case_fields_changed(*, case: Case, fields: list[str]) -> None:
    """A change that selects another policy recomputes open timers from their start."""
    if not {"severity", "category"} & set(fields):
        return
    policy = policy_select(case=case)
    if policy is None:
        return
    for timer in _open(case, *TimerKind.values).exclude(policy=policy):
        if policy.target(timer.kind)[1]:
            _replan(case, timer, policy)


def _staff_replied(case: Case) -> bool:
    return CaseEvent.objects.filter(
        case=case, kind=EventKind.MESSAGE, author_type=AuthorType.STAFF
    ).exists()


def sla_case_set_policy(
    *,
    case: Case,
    policy: SlaPolicy | str,
    actor: User | None = None,
    reason: str = "",
    locked: bool = False,
) -> SlaPolicy:
    """Put a case under a chosen policy (a routing rule's, or a person's choice).

    The choice is kept for the case, so later field changes do not switch it back. Open
    timers are re-planned from their original start with their paused time kept; a target
    the new policy lacks stops that timer; a first-response or resolution timer the case
    never had is started from the case's creation. Raises NotFound for an unknown key.

    `locked=True`: `case` is locked by the caller's transaction and current (the case it
    just created); it is not read again and no savepoint is taken.
    """
    if isinstance(policy, str):
        # Named explicitly, a policy applies even if it is off for automatic selection.
        policy = policies_by_key().get(policy)
        if policy is None:
            raise NotFound(_("No SLA policy with that key."))
    if actor is not None:
        from tingsu.cases.permissions import check_staff_can_act

        check_staff_can_act(actor)
    with transaction.atomic(savepoint=not locked):
        if not locked:
            case = Case.objects.select_for_update().select_related("customer").get(pk=case.pk)
        return _set_policy(case, policy, actor, reason)


def _set_policy(case: Case, policy: SlaPolicy, actor: User | None, reason: str) -> SlaPolicy:
    # The case row is locked above, so no concurrent writer: no update_or_create savepoint.
    chosen = {"policy": policy, "reason": (reason or "")[:200]}
    if not SlaCasePolicy.objects.filter(case=case).update(**chosen, set_at=timezone.now()):
        SlaCasePolicy.objects.create(case=case, **chosen)
    sla_audit(case, "sla.policy_set", {"policy": policy.key, "reason": reason}, actor=actor)
    now = timezone.now()
    for timer in _open(case, *TimerKind.values).select_related("policy"):
        if not policy.target(timer.kind)[1]:
            timer.stopped_at, timer.next_check_at = now, None
            timer.save(update_fields=["stopped_at", "next_check_at"])
            sla_note(
                case,
                _("SLA policy changed to %(policy)s, which has no %(kind)s target.")
                % {"policy": policy.name, "kind": timer.get_kind_display()},
                {"action": "stopped", "kind": timer.kind, "policy": policy.key},
            )
        elif timer.policy_id != policy.pk:
            _replan(case, timer, policy)
    if case.status in OPEN_STATUSES:
        had = set(SlaTimer.objects.filter(case=case).values_list("kind", flat=True))
        for kind in (TimerKind.FIRST_RESPONSE, TimerKind.RESOLUTION):
            if kind in had or (kind == TimerKind.FIRST_RESPONSE and _staff_replied(case)):
                continue
            if _start(case, policy, kind, case.created_at):
                sla_note(
                    case,
                    _("SLA policy %(policy)s set.") % {"policy": policy.name},
                    {"action": "started", "kind": kind, "policy": policy.key},
                )
    return policy


def sla_policy_from_routing(case: Case, policy_key: str) -> None:
    """The triage app's default TINGSU_TRIAGE_SLA_HOOK: a routing rule chose a policy.

    Routing runs on the case case_create has just made, in its transaction."""
    policy = policies_by_key().get(policy_key)
    if policy is None:
        logger.warning("Routing rule names SLA policy %r, which does not exist", policy_key)
        return
    sla_case_set_policy(case=case, policy=policy, reason="routing", locked=True)


# Warnings and breaches, one timer per step.


def sla_claim_due() -> bool:
    """Scheduler job: claim one timer whose next check is due, and act on it.

    select_for_update(skip_locked) spreads timers over schedulers on PostgreSQL; the
    conditional UPDATE on next_check_at makes a second claimer of the same row a no-op,
    so nothing is warned or escalated twice. Returns True if a timer was due.
    """
    now = timezone.now()
    with transaction.atomic():
        due = SlaTimer.objects.filter(next_check_at__lte=now, stopped_at__isnull=True)
        claim = claim_oldest_due(due, field="next_check_at", set_to=None)
        if claim is None:
            return False
        if not claim.won:
            return True
        timer = SlaTimer.objects.select_related("case", "policy__calendar").get(pk=claim.pk)
        _check(timer, now)
    return True


def _check(timer: SlaTimer, now: datetime) -> None:
    from tingsu.cases import services as cases
    from tingsu.channels import notify

    case = timer.case
    cal = _calendar(timer.policy, timer.started_at)
    total = clock.measure(cal, timer.unit, timer.started_at, timer.due_at)
    for level in sorted(float(x) for x in timer.policy.warning_thresholds):
        point = clock.shift(cal, timer.unit, timer.started_at, level * total)
        if str(level) in timer.warned_levels or now < point or now >= timer.due_at:
            continue
        timer.warned_levels = [*timer.warned_levels, str(level)]
        sla_note(
            case,
            _("SLA warning: %(pct)d%% of the %(kind)s time used; due %(due)s.")
            % {
                "pct": round(level * 100),
                "kind": timer.get_kind_display(),
                "due": timezone.localtime(timer.due_at).strftime("%Y-%m-%d %H:%M"),
            },
            {"action": "warning", "kind": timer.kind, "level": level},
        )
        sla_audit(case, "sla.warning", {"kind": timer.kind, "level": level})
        notify.staff_sla_warning(
            case,
            message=_("%(number)s: %(kind)s due %(due)s")
            % {
                "number": case.number,
                "kind": timer.get_kind_display(),
                "due": timezone.localtime(timer.due_at).strftime("%Y-%m-%d %H:%M"),
            },
            cause=f"sla-{timer.pk}-{timer.due_at.timestamp():.0f}-{level}",
        )
    if now >= timer.due_at and timer.breached_at is None:
        # Levels passed together with the deadline are not warned after the fact.
        timer.warned_levels = [str(float(x)) for x in timer.policy.warning_thresholds]
        timer.breached_at = now
        sla_note(
            case,
            _("SLA breached: the %(kind)s deadline %(due)s has passed.")
            % {
                "kind": timer.get_kind_display(),
                "due": timezone.localtime(timer.due_at).strftime("%Y-%m-%d %H:%M"),
            },
            {"action": "breached", "kind": timer.kind, "due_at": timer.due_at.isoformat()},
        )
        sla_audit(case, "sla.breach", {"kind": timer.kind, "due_at": timer.due_at.isoformat()})
        if case.priority > Priority.P1:
            cases.case_update_fields(
                actor=cases.Actor.system(SYSTEM_LABEL),
                case=case,
                changes={"priority": Priority(case.priority - 1)},
            )
        notify.staff_sla_breached(
            case,
            message=_("%(number)s breached its %(kind)s deadline")
            % {"number": case.number, "kind": timer.get_kind_display()},
            cause=f"sla-{timer.pk}-{timer.due_at.timestamp():.0f}-breach",
        )
    timer.next_check_at = _next_check(timer, cal)
    timer.save(update_fields=["warned_levels", "breached_at", "next_check_at"])


# Regulatory extensions (银行保险机构消费投诉处理管理办法: 15 -> 30 -> 60 days).


@transaction.atomic
def sla_timer_extend(
    *, timer: SlaTimer, user: User, reason: str, approved_by: User | None = None
) -> SlaExtension:
    """Extend a resolution deadline to the policy's next target. Every extension needs a
    reason; the second needs a supervisor's approval; the customer is told."""
    timer = SlaTimer.objects.select_for_update().select_related("policy", "case").get(pk=timer.pk)
    policy = timer.policy
    number = next_extension_number(timer)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("An extension needs a reason."), {"reason": [_("This field is required.")]}
        )
    if number >= 2 and (
        approved_by is None or approved_by.role not in (Role.SUPERVISOR, Role.ADMIN)
    ):
        raise ValidationFailed(
            _("A second extension needs a supervisor's approval."),
            {"approved_by": [_("Choose the approving supervisor.")]},
        )
    cal = _calendar(policy, timer.started_at)
    new_due = clock.shift(
        cal,
        clock.Unit.CALENDAR_DAYS,
        clock.add_calendar_days(cal, timer.started_at, policy.extension_days[number - 1]),
        timer.paused_total if timer.unit == clock.Unit.CALENDAR_DAYS else 0,
    )
    ext = SlaExtension.objects.create(
        timer=timer,
        number=number,
        old_due_at=timer.due_at,
        new_due_at=new_due,
        reason=reason,
        requested_by=user,
        approved_by=approved_by,
    )
    timer.due_at, timer.extensions = new_due, number
    timer.breached_at = None
    timer.next_check_at = _next_check(timer, cal)
    timer.save(update_fields=["due_at", "extensions", "breached_at", "next_check_at"])
    case = timer.case
    due_text = timezone.localtime(new_due).strftime("%Y-%m-%d")
    sla_note(
        case,
        _("Deadline extended to %(due)s: %(reason)s") % {"due": due_text, "reason": reason},
        {"action": "extended", "number": number, "due_at": new_due.isoformat()},
        author=user,
    )
    sla_audit(
        case,
        "sla.extend",
        {
            "extension": number,
            "due_at": new_due.isoformat(),
            "approved_by": approved_by.pk if approved_by else None,
        },
        actor=user,
    )
    from tingsu.channels import notify
    from tingsu.channels.models import NotificationEvent

    transport = notify.notify_customer(
        case=case,
        event=NotificationEvent.CASE_REPLIED,
        message=_(
            "We need more time to decide on your complaint; the new deadline is %(due)s. %(reason)s"
        )
        % {"due": due_text, "reason": reason},
        cause=f"sla-ext-{ext.pk}",
    )
    if transport:
        SlaExtension.objects.filter(pk=ext.pk).update(customer_notified=True)
        ext.customer_notified = True
    return ext


def can_approve_extensions(user: User) -> bool:
    return user.is_superuser or user.role in (Role.SUPERVISOR, Role.ADMIN)


def next_extension_number(timer: SlaTimer) -> int:
    """The number the next extension would get; raises if there is none left."""
    policy = timer.policy
    number = timer.extensions + 1
    if timer.stopped_at or number > min(policy.max_extensions, len(policy.extension_days)):
        raise TingsuError(
            ErrorCode.INVALID_TRANSITION, _("This deadline cannot be extended any further.")
        )
    return number
