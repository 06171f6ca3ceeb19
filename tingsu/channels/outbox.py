"""The outbox: messages written in the same transaction as the change that causes them,
delivered by the worker after commit.

Delivery is at-least-once with an idempotency key. A worker claims a row with a
conditional UPDATE (pending and due, or sending with an expired lease) and holds a lease
while it calls the transport outside any transaction. If it dies after the send and
before marking the row, the lease runs out, the scheduler enqueues the row again and
another worker resends it with the same idempotency key (email: the same Message-ID),
so the receiver can drop the copy.

Delivery is batched: the messages one transaction writes go to one task
(`deliver_outbox_batch_task`), which claims them in one UPDATE and sends them through one
session per transport (one SMTP connection for all its emails). A task per message cost
more worker time than the intake processing that wrote them. Work that commits many small
transactions in a row (the intake drain on SQLite commits each case on its own) gathers
their messages with `outbox_deliveries_gathered()` and queues one task per batch of them.
"""

import hashlib
import logging
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, connections, router, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from tingsu.cases.models import Case
from tingsu.channels.contracts import PermanentError, TransientError
from tingsu.channels.models import OutboxMessage, OutboxStatus
from tingsu.channels.transports import Sender, get_session, get_transport
from tingsu.core.config import config_scope

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


def batch_size() -> int:
    """The most messages one delivery task takes: a transaction that writes more (a bulk
    notice) is spread over several tasks, so several workers share it."""
    return max(1, int(_conf("OUTBOX_BATCH_SIZE", 50)))


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


# The message ids of committed transactions, gathered for one delivery task (see below).
_gathered: ContextVar[list[int] | None] = ContextVar("outbox_gathered", default=None)


@contextmanager
def outbox_deliveries_gathered() -> Iterator[None]:
    """Inside this block, the messages of each transaction that commits are not queued at
    its commit: they are gathered and queued in tasks of `batch_size()` as soon as a batch
    is full, and the rest as the block ends.

    For a run of small transactions (the intake drain on SQLite: one per case), where a
    delivery task per transaction cost the worker a task claim, a claim UPDATE and a
    result write per message. A message is held back at most until the block ends; if
    the process dies first, the scheduler's `outbox_claim_due` queues it after its grace.
    """
    if _gathered.get() is not None:  # already gathering: the outer block queues them
        yield
        return
    ids: list[int] = []
    token = _gathered.set(ids)
    try:
        yield
    finally:
        _gathered.reset(token)
        if ids:
            _enqueue_batches(list(dict.fromkeys(ids)))


def outbox_enqueue(
    *,
    transport: str,
    recipient: str,
    subject: str = "",
    body: str = "",
    payload: dict[str, Any] | None = None,
    idempotency_key: str,
    case: Case | None = None,
    fresh_key: bool = False,
) -> OutboxMessage | None:
    """Write one outbox row in the caller's transaction; deliver it after commit.

    A second call with the same idempotency key is ignored (returns None). Must be
    called inside a transaction, so the message exists if and only if the change does.
    `fresh_key`: the key is new by construction (a random UUID in it), so no savepoint is
    set to recover from a duplicate.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("outbox_enqueue must be called inside transaction.atomic().")
    if _suppressed.get():
        return None
    if not idempotency_key or len(idempotency_key) > 128:
        raise ValueError("outbox_enqueue needs an idempotency key of at most 128 characters.")
    now = timezone.now()
    try:
        with transaction.atomic(savepoint=not fresh_key):
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
        if fresh_key:  # no savepoint to read after: the transaction is spoilt
            raise
        if OutboxMessage.objects.filter(idempotency_key=idempotency_key).exists():
            return None
        raise
    _current_batch().add(message.pk)
    return message


class _Batch:
    """The outbox rows one transaction wrote, enqueued as one delivery task on commit."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.flushed = False

    def add(self, message_id: int) -> None:
        self.ids.append(message_id)
        # A hook per message (the first to run sends the batch): Django drops each with its
        # message's savepoint, so the batch goes out if any of its messages survived, and a
        # test capturing the hooks of a block sees its messages' hooks.
        transaction.on_commit(_BatchHook(self))

    def flush(self) -> None:
        if self.flushed:
            return
        self.flushed = True
        # An id whose savepoint was rolled back has no row: the claim skips it.
        ids = list(dict.fromkeys(self.ids))
        gathered = _gathered.get()
        if gathered is None:
            _enqueue_batches(ids)
            return
        gathered.extend(ids)
        size = batch_size()
        if len(gathered) >= size:
            full = len(gathered) - len(gathered) % size
            _enqueue_batches(gathered[:full])
            del gathered[:full]


class _BatchHook:
    __slots__ = ("batch",)

    def __init__(self, batch: _Batch) -> None:
        self.batch = batch

    def __call__(self) -> None:
        self.batch.flush()


def _current_batch() -> _Batch:
    """The batch of the transaction in progress: the one a live commit hook still holds.

    Django drops the hooks of a rolled-back savepoint or transaction, and moves them all
    out of `run_on_commit` before running them, so a hook found there belongs to this
    transaction and will run if it commits; a batch whose hooks all went is not found.
    """
    for _sids, hook, _robust in reversed(connection.run_on_commit):
        if isinstance(hook, _BatchHook):
            if not hook.batch.flushed:  # flushed: run early by a test's capture of hooks
                return hook.batch
            break
    return _Batch()


def _enqueue_batches(message_ids: list[int]) -> None:
    from tingsu.channels.tasks import deliver_outbox_batch_task

    size = batch_size()
    for start in range(0, len(message_ids), size):
        deliver_outbox_batch_task.enqueue(message_ids=message_ids[start : start + size])


def _enqueue_task(message_id: int) -> None:
    from tingsu.channels.tasks import deliver_outbox_task

    deliver_outbox_task.enqueue(message_id=message_id)


def _due(now: datetime) -> Q:
    """Claimable: pending and due, or sending with an expired lease (its worker died)."""
    return Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboxStatus.SENDING, lease_until__lt=now
    )


def _update_returning_ids(queryset: QuerySet, **values: Any) -> list[int]:
    """`queryset.update(**values)` that also says which rows it changed, in the same
    statement (UPDATE ... RETURNING: PostgreSQL, SQLite 3.35+), so concurrent workers each
    learn exactly the rows they won."""
    alias = router.db_for_write(queryset.model)
    query = queryset.order_by().query.chain(UpdateQuery)
    query.add_update_values(values)
    sql, params = query.get_compiler(alias).as_sql()
    db = connections[alias]
    pk = db.ops.quote_name(queryset.model._meta.pk.column)
    with db.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {pk}", params)
        return [row[0] for row in cursor.fetchall()]


def outbox_deliver(message_id: int) -> bool:
    """Deliver one outbox message. Returns True if it was sent by this call.

    Runs outside any transaction: the claim and the marks are single conditional
    UPDATEs in autocommit, and the transport's network I/O happens between them.
    """
    return outbox_deliver_many(message_ids=[message_id]) == 1


def outbox_deliver_many(*, message_ids: Sequence[int]) -> int:
    """Deliver a batch of outbox messages. Returns how many this call sent.

    Claims every due row of the list in one UPDATE (rows already claimed, sent or gone
    are skipped, as in `outbox_deliver`), reads them in one SELECT, then sends each
    through its transport, all of one transport inside one session (one SMTP connection).
    Each message is marked as soon as its send returns, so a crash resends only the
    message in flight and those not yet sent, after their lease.
    """
    ids = list(dict.fromkeys(message_ids))
    sent = 0
    for start in range(0, len(ids), batch_size()):
        sent += _deliver_chunk(ids[start : start + batch_size()])
    return sent


def _deliver_chunk(message_ids: list[int]) -> int:
    now = timezone.now()
    lease = now + timedelta(seconds=lease_seconds())
    claimed = _update_returning_ids(
        OutboxMessage.objects.filter(_due(now), pk__in=message_ids),
        status=OutboxStatus.SENDING,
        lease_until=lease,
        attempts=F("attempts") + 1,
        enqueued_at=None,
    )
    if not claimed:
        return 0
    sent = 0
    with ExitStack() as sessions:
        # One unit of work: transports read cached configuration (webhook endpoints) after
        # one version check for the whole batch.
        sessions.enter_context(config_scope())
        opened: set[str] = set()
        for message in OutboxMessage.objects.filter(pk__in=claimed).order_by("pk"):
            if message.transport not in opened:
                opened.add(message.transport)
                _open_session(sessions, message.transport)
            if not _lease_held(message):
                continue  # another worker took it over after our lease ran out
            sent += _send_claimed(message)
    return sent


def _open_session(sessions: ExitStack, transport: str) -> None:
    session = get_session(transport)
    if session is None:
        return
    try:
        sessions.enter_context(session())
    except Exception:
        # Without its session each message opens its own connection: slower, still sent.
        logger.exception("Outbox session for %s failed to open", transport)


def _lease_held(message: OutboxMessage) -> bool:
    """Renew the message's lease once half of it is spent (the sends before it in the
    batch were slow), so the scheduler does not hand it to a second worker meanwhile."""
    lease = timedelta(seconds=lease_seconds())
    now = timezone.now()
    if message.lease_until is None or now < message.lease_until - lease / 2:
        return True
    renewed = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxStatus.SENDING, lease_until=message.lease_until
    ).update(lease_until=now + lease)
    return renewed == 1


def _send_claimed(message: OutboxMessage) -> bool:
    """Send one claimed message and mark it; True if it was sent."""
    limit = max_attempts()
    if message.attempts > limit:
        # Claimed again after crashes (expired leases) more times than allowed.
        _mark_dead(message, "Gave up: the worker stopped during delivery too many times.")
        return False
    send: Sender | None = get_transport(message.transport)
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
    """Scheduler job: enqueue delivery for due messages whose task was not enqueued (a
    retry that came due) or got lost, or whose worker died (an expired lease); up to one
    batch per call, in one task.

    Returns True if it enqueued some (there may be more).
    """
    now = timezone.now()
    grace = now - timedelta(seconds=float(_conf("OUTBOX_REENQUEUE_AFTER_SECONDS", 120)))
    not_enqueued = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=grace)
    with transaction.atomic():
        pks = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(_due(now) & not_enqueued)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[: batch_size()]
        )
        if not pks:
            return False
        # Conditional again: on SQLite, where rows are not locked, two schedulers may have
        # read the same rows; each enqueues only those its UPDATE changed.
        claimed = _update_returning_ids(
            OutboxMessage.objects.filter(_due(now) & not_enqueued, pk__in=pks), enqueued_at=now
        )
        if claimed:
            transaction.on_commit(lambda: _enqueue_batches(claimed))
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
