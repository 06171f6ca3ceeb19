"""The outbox: messages written in the same transaction as the change that causes them,
delivered by the worker after commit.

Delivery is at-least-once with an idempotency key. A worker claims a row with a
conditional UPDATE (pending and due, or sending with an expired lease) and holds a lease
while it calls the transport outside any transaction. If it dies after the send and
before marking the row, the lease runs out, the scheduler enqueues the row again and
another worker resends it with the same idempotency key (email: the same Message-ID),
so the receiver can drop the copy.
"""

import hashlib
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from tingsu.cases.models import Case
from tingsu.channels.contracts import PermanentError, TransientError
from tingsu.channels.models import OutboxMessage, OutboxStatus
from tingsu.channels.transports import get_transport

logger = logging.getLogger("tingsu.outbox")

# Test hook, never set in production: when TINGSU_TEST_CRASH_AFTER_SEND=1 the worker
# process exits right after the transport returned and before the row is marked sent,
# which is exactly the crash the kill test needs to reproduce.
CRASH_AFTER_SEND_ENV = "TINGSU_TEST_CRASH_AFTER_SEND"


def _conf(key: str, default: Any) -> Any:
    return settings.TINGSU.get(key, default)


def max_attempts() -> int:
    return int(_conf("OUTBOX_MAX_ATTEMPTS", 6))


def lease_seconds() -> float:
    return float(_conf("OUTBOX_LEASE_SECONDS", 60))


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt after `attempts` failed ones: 30 s, 60 s, 120 s, ..."""
    base = float(_conf("OUTBOX_BACKOFF_BASE_SECONDS", 30))
    cap = float(_conf("OUTBOX_BACKOFF_MAX_SECONDS", 3600))
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def message_id_domain() -> str:
    domain = _conf("MESSAGE_ID_DOMAIN", "")
    if not domain:
        sender = getattr(settings, "DEFAULT_FROM_EMAIL", "") or ""
        domain = sender.rpartition("@")[2].strip("> ") or "tingsu.local"
    return domain


_NOT_ATEXT = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")


def message_id_local_part(idempotency_key: str) -> str:
    """The idempotency key as a Message-ID's left part (RFC 5322 dot-atom): readable,
    and with a short hash added whenever characters had to be replaced, so two keys
    never share one Message-ID."""
    safe = ".".join(p for p in _NOT_ATEXT.split(idempotency_key) if p)
    if safe != idempotency_key:
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:10]
        safe = f"{safe}.{digest}" if safe else digest
    return safe


def external_id_for(transport: str, idempotency_key: str) -> str:
    """The id the receiver will see; for email the Message-ID (without angle brackets)."""
    if transport == "email":
        return f"{message_id_local_part(idempotency_key)}@{message_id_domain()}"
    return ""


_suppressed: ContextVar[bool] = ContextVar("outbox_suppressed", default=False)


@contextmanager
def outbox_suppressed() -> Iterator[None]:
    """Write no outbox rows inside this block: for loading history (the demo company,
    imports of past complaints), whose customers and integrators must not be told again."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def outbox_enqueue(
    *,
    transport: str,
    recipient: str,
    subject: str = "",
    body: str = "",
    payload: dict[str, Any] | None = None,
    idempotency_key: str,
    case: Case | None = None,
) -> OutboxMessage | None:
    """Write one outbox row in the caller's transaction; deliver it after commit.

    A second call with the same idempotency key is ignored (returns None). Must be
    called inside a transaction, so the message exists if and only if the change does.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("outbox_enqueue must be called inside transaction.atomic().")
    if _suppressed.get():
        return None
    if not idempotency_key or len(idempotency_key) > 128:
        raise ValueError("outbox_enqueue needs an idempotency key of at most 128 characters.")
    now = timezone.now()
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                transport=transport,
                recipient=recipient[:255],
                subject=subject[:255],
                body=body,
                payload=payload or {},
                idempotency_key=idempotency_key,
                external_id=external_id_for(transport, idempotency_key),
                case=case,
                next_attempt_at=now,
                enqueued_at=now,
            )
    except IntegrityError:
        if OutboxMessage.objects.filter(idempotency_key=idempotency_key).exists():
            return None
        raise
    transaction.on_commit(lambda: _enqueue_task(message.pk))
    return message


def _enqueue_task(message_id: int) -> None:
    from tingsu.channels.tasks import deliver_outbox_task

    deliver_outbox_task.enqueue(message_id=message_id)


def _claim(message_id: int) -> OutboxMessage | None:
    """Take the row for this worker: pending and due, or sending with an expired lease."""
    now = timezone.now()
    lease = now + timedelta(seconds=lease_seconds())
    claimed = (
        OutboxMessage.objects.filter(pk=message_id)
        .filter(
            Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            | Q(status=OutboxStatus.SENDING, lease_until__lt=now)
        )
        .update(
            status=OutboxStatus.SENDING,
            lease_until=lease,
            attempts=F("attempts") + 1,
            enqueued_at=None,
        )
    )
    if claimed != 1:
        return None
    return OutboxMessage.objects.get(pk=message_id)


def outbox_deliver(message_id: int) -> bool:
    """Deliver one outbox message. Returns True if it was sent by this call.

    Runs outside any transaction: the claim and the marks are single conditional
    UPDATEs in autocommit, and the transport's network I/O happens between them.
    """
    message = _claim(message_id)
    if message is None:
        return False
    limit = max_attempts()
    if message.attempts > limit:
        # Claimed again after crashes (expired leases) more times than allowed.
        _mark_dead(message, "Gave up: the worker stopped during delivery too many times.")
        return False
    send = get_transport(message.transport)
    try:
        if send is None:
            raise PermanentError(f"No transport registered for “{message.transport}”.")
        provider_id = send(message) or ""
    except PermanentError as exc:
        _mark_dead(message, f"Permanent: {exc}")
        return False
    except TransientError as exc:
        _mark_failed(message, f"Transient: {exc}", limit)
        return False
    except Exception as exc:  # A bug in a transport is retried like a transient error.
        logger.exception("Outbox transport %s crashed", message.transport)
        _mark_failed(message, f"Error: {type(exc).__name__}: {exc}", limit)
        return False
    if os.environ.get(CRASH_AFTER_SEND_ENV) == "1":
        os._exit(1)
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.SENT,
        sent_at=timezone.now(),
        provider_id=str(provider_id)[:255],
        lease_until=None,
        last_error="",
    )
    return True


def _mark_dead(message: OutboxMessage, error: str) -> None:
    logger.warning("Outbox message %s is dead: %s", message.pk, error)
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.DEAD, lease_until=None, last_error=error[:4000]
    )


def _mark_failed(message: OutboxMessage, error: str, limit: int) -> None:
    if message.attempts >= limit:
        _mark_dead(message, f"{error} (after {message.attempts} attempts)")
        return
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.PENDING,
        lease_until=None,
        next_attempt_at=timezone.now() + backoff(message.attempts),
        last_error=error[:4000],
    )


def outbox_claim_due() -> bool:
    """Scheduler job: enqueue delivery for one due message whose task was not enqueued
    (a retry that came due) or got lost, or whose worker died (an expired lease).

    Returns True if it enqueued one (there may be more).
    """
    now = timezone.now()
    grace = now - timedelta(seconds=float(_conf("OUTBOX_REENQUEUE_AFTER_SECONDS", 120)))
    not_enqueued = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=grace)
    due = Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboxStatus.SENDING, lease_until__lt=now
    )
    with transaction.atomic():
        row = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(due & not_enqueued)
            .order_by("next_attempt_at")
            .values_list("pk", "enqueued_at")
            .first()
        )
        if row is None:
            return False
        pk, old = row
        claimed = OutboxMessage.objects.filter(pk=pk, enqueued_at=old).update(enqueued_at=now)
        if claimed == 1:
            transaction.on_commit(lambda: _enqueue_task(pk))
    return True


def outbox_retry(*, message: OutboxMessage) -> bool:
    """Put a dead (or stuck) message back in the queue with a fresh attempt count."""
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(
            pk=message.pk, status__in=[OutboxStatus.DEAD, OutboxStatus.PENDING]
        ).update(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            enqueued_at=timezone.now(),
            lease_until=None,
        )
        if updated:
            transaction.on_commit(lambda: _enqueue_task(message.pk))
    return bool(updated)
