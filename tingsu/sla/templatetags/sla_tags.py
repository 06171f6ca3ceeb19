"""Time left on SLA deadlines, for the desk queue and case page (no queries in the queue:
it reads the annotations that cases.selectors.case_list adds)."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tingsu.sla.models import SlaTimer
from tingsu.sla.selectors import case_timers

register = template.Library()


def duration(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)dd %(h)dh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)dh %(m)dm") % {"h": hours, "m": mins}
    return _("%(m)dm") % {"m": mins}


def _badge(state: str, text: str, title: str = ""):
    css = {
        "ok": "text-bg-success",
        "warning": "text-bg-warning",
        "breached": "text-bg-danger",
        "paused": "text-bg-secondary",
    }[state]
    return format_html(
        '<span class="badge {} sla-{}" data-sla="{}" title="{}">{}</span>',
        css,
        state,
        state,
        title,
        text,
    )


@register.simple_tag
def sla_queue_badge(case):
    """Green / amber (warned) / red (breached or past due); grey when paused."""
    due = getattr(case, "sla_due", None)
    now = timezone.now()
    if getattr(case, "sla_breached", False) or (due is not None and due <= now):
        late = now - due if due is not None and due <= now else None
        text = _("Overdue %(t)s") % {"t": duration(late)} if late else _("Breached")
        return _badge("breached", text)
    if due is not None:
        state = "warning" if getattr(case, "sla_warned", False) else "ok"
        title = timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
        return _badge(state, duration(due - now), title)
    if getattr(case, "sla_paused", False):
        return _badge("paused", _("Paused"))
    return "—"


def _timers(case) -> list[SlaTimer]:
    """The case's timers, newest first, read once per page: both tags below use them."""
    timers = getattr(case, "_sla_timers", None)
    if timers is None:
        timers = case_timers(case=case)
        case._sla_timers = timers
    return timers


@register.simple_tag
def sla_case_timers(case) -> list[dict]:
    """The case's timers, newest first, with their state and time left."""
    now = timezone.now()
    rows = []
    for t in _timers(case):
        if t.stopped_at:
            state, left = "stopped", ""
        elif t.paused_at:
            state, left = "paused", ""
        elif t.breached_at or t.due_at <= now:
            state, left = "breached", duration(now - t.due_at)
        else:
            state = "warning" if t.warned_levels else "ok"
            left = duration(t.due_at - now)
        rows.append({"timer": t, "state": state, "left": left})
    return rows


@register.simple_tag
def sla_case_actions(case, user) -> dict | None:
    """What the case page offers on the running resolution clock: extend (with whether a
    supervisor must approve), pending requests, and pause/resume with the pause reason."""
    from tingsu.accounts.models import Role
    from tingsu.cases.models import CaseEvent
    from tingsu.core.errors import TingsuError
    from tingsu.sla.models import ExtensionRequestStatus, TimerKind
    from tingsu.sla.services import can_approve_extensions, next_extension_number

    running = [t for t in _timers(case) if t.kind == TimerKind.RESOLUTION and t.stopped_at is None]
    timer = min(running, key=lambda t: (t.started_at, t.pk), default=None)
    if timer is None:
        return None
    try:
        number = next_extension_number(timer)
    except TingsuError:
        number = None
    pending = []
    if timer.has_pending_requests:
        pending = list(
            timer.extension_requests.filter(status=ExtensionRequestStatus.PENDING).select_related(
                "requested_by"
            )
        )
    decider = (
        user.is_superuser
        or user.role == Role.ADMIN
        or (user.role == Role.SUPERVISOR and user.department_id == case.department_id)
    )
    pause_reason = ""
    if timer.paused_at:
        last = (
            CaseEvent.objects.filter(case=case, data__sla__action="paused")
            .order_by("-id")
            .values_list("data", flat=True)
            .first()
        )
        pause_reason = ((last or {}).get("sla") or {}).get("reason", "")
    return {
        "timer": timer,
        "next_extension": number if not pending else None,
        "needs_approval": bool(number and number >= 2 and not can_approve_extensions(user)),
        "pending": pending,
        "can_decide": decider,
        "paused": timer.paused_at is not None,
        "pause_reason": pause_reason,
    }
