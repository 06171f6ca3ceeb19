"""Case events for integrators: one outbox row per subscribed endpoint, in the caller's
transaction, so an event is sent if and only if the change commits.

Inside `webhook_batch()` (every case service's unit of work, and each transaction of the
intake drain) a case gets one event per kind, sent as the block ends with the case as it
then is. A case created in the block gets `case.created` alone, carrying the result of its
processing (category and severity from triage, department from routing, assignee), not a
`case.created` of the bare case followed by a `case.updated` per step; a case resolved in
the block gets `case.resolved` alone. Zendesk and Zammad likewise send one notification per
ticket save, triggers included.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.utils import timezone

from tingsu.cases.models import Case
from tingsu.channels.outbox import outbox_enqueue
from tingsu.core.config import cached
from tingsu.core.pending_writes import hold, pending_scope
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


def _active() -> list[WebhookEndpoint]:
    # Few endpoints, and JSON "contains" is not portable to SQLite: filtered in Python. The
    # active ones are cached per process until an endpoint changes (tingsu.core.config).
    return cached("webhooks.active", lambda: list(WebhookEndpoint.objects.filter(is_active=True)))


def _subscribed(event: WebhookEvent) -> list[WebhookEndpoint]:
    return [e for e in _active() if e.wants(event)]


# Inside webhook_batch(): the ((event, case), marker) pairs emitted so far.
_batch: ContextVar[list | None] = ContextVar("tingsu_webhook_batch", default=None)

# Kinds that carry an update of the same case in the same block.
_ABSORBS_UPDATE = {WebhookEvent.CASE_CREATED, WebhookEvent.CASE_RESOLVED}


@contextmanager
def webhook_batch() -> Iterator[None]:
    """Send the events emitted inside as the block ends, one per case and kind (see the
    module's docstring). Events from a savepoint that was rolled back are dropped with it;
    if the block raises, none is sent. Nested blocks join the outer one."""
    with pending_scope(_batch, _send):
        yield


def _send(emitted: list[tuple[WebhookEvent, Case]]) -> None:
    for event, case in _coalesced(emitted):
        _enqueue(event, case)


def _coalesced(emitted: list[tuple[WebhookEvent, Case]]) -> list[tuple[WebhookEvent, Case]]:
    latest: dict[int, Case] = {}  # the newest instance of each case: its state at the end
    kinds: dict[int, list[WebhookEvent]] = {}
    for event, case in emitted:
        latest[case.pk] = case
        seen = kinds.setdefault(case.pk, [])
        if event not in seen:
            seen.append(event)
    out = []
    for pk, events in kinds.items():
        if _ABSORBS_UPDATE.intersection(events):
            events = [e for e in events if e != WebhookEvent.CASE_UPDATED]
        out.extend((event, latest[pk]) for event in events)
    return out


def webhook_emit(*, event: WebhookEvent | str, case: Case) -> int:
    """Queue `event` for every active endpoint subscribed to it; inside webhook_batch(), as
    the block ends. Returns how many endpoints are subscribed."""
    event = WebhookEvent(event)
    if not _active():
        return 0
    # Inside webhook_batch() even when no endpoint wants this kind: a case.updated is
    # absorbed into a case.created or case.resolved that other endpoints may want.
    if hold(_batch, (event, case)):
        return len(_subscribed(event))
    return _enqueue(event, case)


def _enqueue(event: WebhookEvent, case: Case) -> int:
    endpoints = _subscribed(event)
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
            fresh_key=True,
        )
    return len(endpoints)
