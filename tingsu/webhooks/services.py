"""Case events for integrators: one outbox row per subscribed endpoint, in the caller's
transaction, so an event is sent if and only if the change commits."""

import uuid
from typing import Any

from django.utils import timezone

from tingsu.cases.models import Case
from tingsu.channels.outbox import outbox_enqueue
from tingsu.core.config import cached
from tingsu.webhooks.models import WebhookEndpoint, WebhookEvent


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def webhook_case_data(case: Case) -> dict[str, Any]:
    return {
        "number": case.number,
        "status": case.status,
        "severity": case.severity,
        "priority": int(case.priority),
        "category": case.category.code if case.category_id else None,
        "department": case.department.code if case.department_id else None,
        "channel": case.channel,
        "created_at": _iso(case.created_at),
        "updated_at": _iso(case.updated_at),
        "resolved_at": _iso(case.resolved_at),
    }


def webhook_emit(*, event: WebhookEvent | str, case: Case) -> int:
    """Queue `event` for every active endpoint subscribed to it. Returns how many."""
    event = WebhookEvent(event)
    # Few endpoints, and JSON "contains" is not portable to SQLite: filter here. The active
    # ones are cached per process until an endpoint changes (tingsu.core.config).
    active = cached("webhooks.active", lambda: list(WebhookEndpoint.objects.filter(is_active=True)))
    endpoints = [e for e in active if e.wants(event)]
    if not endpoints:
        return 0
    event_id = uuid.uuid4()
    payload = {
        "id": str(event_id),
        "event": event.value,
        "occurred_at": timezone.now().isoformat(),
        "case": webhook_case_data(case),
    }
    for endpoint in endpoints:
        outbox_enqueue(
            transport="webhook",
            recipient=str(endpoint.pk),
            payload=payload,
            idempotency_key=f"wh-{endpoint.pk}-{event_id.hex}",
            case=case,
        )
    return len(endpoints)
