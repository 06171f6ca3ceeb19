"""Customer milestones and staff notifications, written to the outbox in the caller's
transaction (cases.services calls these) and delivered after commit.

A customer is told on their own channel: WeChat for a WeChat case (if we know the openid),
SMS for a phone or SMS case (if we know the number), otherwise email; if that channel has
no registered transport, email; else nothing (logged). Texts come from the
NotificationTemplate rows (editable in admin) in the customer's language.

Nothing here may break the change that triggers it: every notification runs in its own
savepoint and a failure is logged, not raised.
"""

import functools
import logging
import re
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template import Context, Template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from tingsu.accounts.models import Role, User
from tingsu.accounts.selectors import department_supervisors
from tingsu.cases.models import Case, Channel
from tingsu.channels.models import (
    NotificationEvent,
    NotificationTemplate,
    StaffNotification,
    StaffNotificationKind,
)
from tingsu.channels.outbox import outbox_enqueue
from tingsu.channels.transports import has_transport
from tingsu.core.config import cached
from tingsu.customers.models import Customer

logger = logging.getLogger("tingsu.notify")

LANGUAGES = ("zh-hans", "en")
MENTION = re.compile(r"(?<![\w@.])@([\w.+-]{1,150})")


def _site() -> str:
    return settings.TINGSU["SITE_URL"].rstrip("/")


def tracking_url(case: Case) -> str:
    return f"{_site()}{reverse('portal:track', args=[case.number])}?t={case.access_token()}"


def desk_url(case: Case) -> str:
    return f"{_site()}{reverse('desk:case', args=[case.number])}"


def _language(language: str = "") -> str:
    language = (language or settings.LANGUAGE_CODE or "zh-hans").lower()
    return "en" if language.startswith("en") else "zh-hans"


def customer_language(customer: Customer) -> str:
    return _language(getattr(customer, "language", "") or settings.TINGSU.get("CUSTOMER_LANGUAGE"))


def customer_routes(case: Case, customer: Customer) -> list[tuple[str, str]]:
    """(transport, recipient) pairs to try, the customer's own channel first."""
    routes: list[tuple[str, str]] = []
    if case.channel == Channel.WECHAT and customer.wechat_openid:
        routes.append(("wechat", customer.wechat_openid))
    if case.channel in (Channel.SMS, Channel.PHONE) and customer.phone:
        routes.append(("sms", customer.phone))
    if customer.email:
        routes.append(("email", customer.email))
    return routes


def _active_templates() -> dict[tuple[str, str, str], NotificationTemplate]:
    """(event, transport, language) -> the active template: cached per process until a
    template changes (tingsu.core.config; the channels app watches NotificationTemplate).
    Read-only."""
    return cached(
        "notify.templates",
        lambda: {
            (t.event, t.transport, t.language): t
            for t in NotificationTemplate.objects.filter(is_active=True)
        },
    )


def _template(event: str, transport: str, language: str) -> NotificationTemplate | None:
    rows = _active_templates()
    for key in ((transport, language), (transport, "zh-hans"), ("email", language)):
        if (event, *key) in rows:
            return rows[(event, *key)]
    return None


@functools.lru_cache(maxsize=256)
def _compiled(source: str) -> Template:
    # Keyed by the text itself, so an edited template compiles afresh; compiled templates
    # render safely from any thread. Compiling cost more than rendering, on every notice.
    return Template(source)


def render(template: NotificationTemplate, context: dict[str, Any]) -> tuple[str, str]:
    """Render subject and body as plain text (no HTML escaping) in the template's language."""
    with override(template.language):
        ctx = Context(context, autoescape=False)
        subject = _compiled(template.subject).render(ctx) if template.subject else ""
        body = _compiled(template.body).render(ctx)
    return " ".join(subject.split())[:255], body.strip()


def _guarded(func):
    """Run a notification in a savepoint; log and swallow any failure."""

    def wrapper(*args, **kwargs):
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        except Exception:
            logger.exception(
                "Notification %s failed; the change itself went through", func.__name__
            )
            return None

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def _key(event: str, case: Case, cause: Any) -> str:
    return f"{event}:{case.pk}:{cause if cause is not None else uuid.uuid4().hex}"[:128]


def notify_customer(
    *, case: Case, event: str, message: str = "", cause: Any = None, extra: dict | None = None
) -> str:
    """Tell the case's customer about a milestone. Returns the transport used, or ""."""
    try:
        reachable = any(has_transport(t) for t, _r in customer_routes(case, case.customer))
    except Exception:
        reachable = True  # let the guarded path below log what is wrong
    if not reachable:
        # Half of all intakes give no address: nothing to write, so no savepoint either.
        logger.info("No channel to tell the customer of %s about %s", case.number, event)
        return ""
    return _notify_customer(case=case, event=event, message=message, cause=cause, extra=extra)


@_guarded
def _notify_customer(
    *, case: Case, event: str, message: str = "", cause: Any = None, extra: dict | None = None
) -> str:
    customer = case.customer
    language = customer_language(customer)
    for transport, recipient in customer_routes(case, customer):
        if not has_transport(transport):
            continue
        template = _template(event, transport, language)
        if template is None:
            continue
        context = {
            "case": case,
            "case_number": case.number,
            "subject": case.subject,
            "customer_name": customer.name,
            "tracking_url": tracking_url(case),
            "message": message,
            "survey_url": "",  # The survey link slot; filled once surveys exist.
            "site_url": _site(),
            **(extra or {}),
        }
        subject, body = render(template, context)
        outbox_enqueue(
            transport=transport,
            recipient=recipient,
            subject=subject,
            body=body,
            payload={
                "event": event,
                "case_number": case.number,
                "url": context["tracking_url"],
                "language": template.language,
            },
            idempotency_key=_key(event, case, cause),
            case=case,
        )
        return transport
    logger.info("No channel to tell the customer of %s about %s", case.number, event)
    return ""


def case_received(case: Case) -> None:
    notify_customer(case=case, event=NotificationEvent.CASE_RECEIVED, cause="once")


def case_needs_info(case: Case, *, message: str = "", cause: Any = None) -> None:
    notify_customer(
        case=case, event=NotificationEvent.CASE_NEEDS_INFO, message=message, cause=cause
    )


def case_replied(case: Case, *, message: str, cause: Any = None) -> None:
    notify_customer(case=case, event=NotificationEvent.CASE_REPLIED, message=message, cause=cause)


def case_resolved(case: Case, *, cause: Any = None) -> None:
    notify_customer(
        case=case,
        event=NotificationEvent.CASE_RESOLVED,
        message=case.resolution_summary,
        cause=cause,
    )


def case_reopened(case: Case, *, message: str = "", cause: Any = None) -> None:
    notify_customer(case=case, event=NotificationEvent.CASE_REOPENED, message=message, cause=cause)


def case_transitioned(case: Case, *, action: str, message: str = "", cause: Any = None) -> None:
    """The milestone, if any, that a workflow action means for the customer."""
    if action == "wait_customer":
        case_needs_info(case, message=message, cause=cause)
    elif action == "resolve":
        case_resolved(case, cause=cause)
    elif action == "reopen":
        case_reopened(case, message=message, cause=cause)


# Staff notifications: an in-app row, and an email if the user has an address.

_STAFF_EVENTS = {
    StaffNotificationKind.ASSIGNED: NotificationEvent.STAFF_ASSIGNED,
    StaffNotificationKind.MENTIONED: NotificationEvent.STAFF_MENTIONED,
    StaffNotificationKind.TRANSFERRED: NotificationEvent.STAFF_TRANSFERRED,
    StaffNotificationKind.SLA_WARNING: NotificationEvent.STAFF_SLA_WARNING,
    StaffNotificationKind.SLA_BREACHED: NotificationEvent.STAFF_SLA_BREACHED,
    StaffNotificationKind.EXTENSION_REQUESTED: NotificationEvent.STAFF_EXTENSION_REQUESTED,
    StaffNotificationKind.EXTENSION_DECIDED: NotificationEvent.STAFF_EXTENSION_DECIDED,
}


@_guarded
def notify_staff(
    *,
    users: Iterable[User],
    kind: str,
    case: Case,
    actor: User | None = None,
    message: str = "",
    cause: Any = None,
) -> int:
    event = _STAFF_EVENTS[kind]
    cause = cause if cause is not None else uuid.uuid4().hex
    told = 0
    for user in {u.pk: u for u in users}.values():
        if not user.is_active or (actor is not None and user.pk == actor.pk):
            continue
        language = _language(settings.LANGUAGE_CODE)
        context = {
            "case": case,
            "case_number": case.number,
            "subject": case.subject,
            "user_name": user.label,
            "actor_name": actor.label if actor else _("System"),
            "department": str(case.department or ""),
            "message": message,
            "desk_url": desk_url(case),
            "site_url": _site(),
        }
        template = _template(event, "email", language)
        if template is not None:
            subject, body = render(template, context)
        else:
            subject, body = f"{case.number} {case.subject}", message
        StaffNotification.objects.create(user=user, kind=kind, case=case, text=subject[:500])
        if user.email and template is not None and has_transport("email"):
            outbox_enqueue(
                transport="email",
                recipient=user.email,
                subject=subject,
                body=body,
                payload={"event": event, "case_number": case.number, "url": context["desk_url"]},
                idempotency_key=f"{event}:{case.pk}:{user.pk}:{cause}"[:128],
                case=case,
            )
        told += 1
    return told


def staff_assigned(case: Case, *, assignee: User, actor: User | None, cause: Any = None) -> None:
    notify_staff(
        users=[assignee],
        kind=StaffNotificationKind.ASSIGNED,
        case=case,
        actor=actor,
        cause=cause,
    )


def _notify_supervisors(
    case: Case, *, kind: str, message: str, cause: Any, actor: User | None = None
) -> None:
    """Tell the supervisors of the case's department, if it has one."""
    if case.department_id is None:
        return
    notify_staff(
        users=department_supervisors(department_id=case.department_id),
        kind=kind,
        case=case,
        message=message,
        cause=cause,
        actor=actor,
    )


def staff_transferred(case: Case, *, actor: User | None, reason: str, cause: Any = None) -> None:
    _notify_supervisors(
        case, kind=StaffNotificationKind.TRANSFERRED, message=reason, cause=cause, actor=actor
    )


def mentioned_users(text: str) -> list[User]:
    names = {m.group(1).rstrip(".") for m in MENTION.finditer(text or "")}
    if not names:
        return []
    return list(
        User.objects.filter(username__in=names, is_active=True).exclude(role=Role.COMPLIANCE)
    )


def staff_mentioned(case: Case, *, text: str, actor: User | None, cause: Any = None) -> None:
    users = mentioned_users(text)
    if users:
        notify_staff(
            users=users,
            kind=StaffNotificationKind.MENTIONED,
            case=case,
            actor=actor,
            message=text,
            cause=cause,
        )


def unread_count(user: User) -> int:
    return StaffNotification.objects.filter(user=user, read_at__isnull=True).count()


def staff_bounce_alert(case: Case, *, count: int) -> None:
    """The case has been transferred too many times (踢皮球): tell its department's supervisors."""
    _notify_supervisors(
        case,
        kind=StaffNotificationKind.TRANSFERRED,
        message=_("Transferred %(n)d times; please take ownership.") % {"n": count},
        cause=f"bounce{count}",
    )


def staff_sla_warning(case: Case, *, message: str, cause: Any) -> None:
    """A deadline is close: tell the assignee. `cause` names the timer and level, so a
    second scheduler pass cannot send the same warning again."""
    if case.assignee_id is None:
        return
    notify_staff(
        users=[case.assignee],
        kind=StaffNotificationKind.SLA_WARNING,
        case=case,
        message=message,
        cause=cause,
    )


def staff_sla_breached(case: Case, *, message: str, cause: Any) -> None:
    """A deadline has passed: tell the department's supervisors."""
    _notify_supervisors(case, kind=StaffNotificationKind.SLA_BREACHED, message=message, cause=cause)


def staff_extension_requested(case: Case, *, actor: User, message: str, cause: Any) -> None:
    """An agent asks for a regulatory extension: the department's supervisors decide."""
    _notify_supervisors(
        case,
        kind=StaffNotificationKind.EXTENSION_REQUESTED,
        message=message,
        cause=cause,
        actor=actor,
    )


def staff_extension_decided(
    case: Case, *, requester: User, actor: User, message: str, cause: Any
) -> None:
    """A supervisor approved or rejected the request: tell the agent who asked."""
    notify_staff(
        users=[requester],
        kind=StaffNotificationKind.EXTENSION_DECIDED,
        case=case,
        actor=actor,
        message=message,
        cause=cause,
    )
