"""Deferred intake in batches (issue 6): the task worker processes its own case, then claims
other pending cases, oldest first, and processes them in the same task. The tasks of the
cases taken that way find nothing to do when their turn comes.

A batch runs in transactions of `per_transaction()` cases (on SQLite, also of at most
`transaction_budget()` seconds of processing), each case in its own savepoint:
- one commit, configuration-version read and audit-chain append per transaction instead
  of per case;
- each case's pending mark is cleared by the one UPDATE that writes its processing
  (cases.row_writes); one case failing rolls back only its savepoint, so its mark stays
  and the scheduler's retry (intake_retry) queues it later.

`select_for_update(skip_locked=True)` lets concurrent workers take disjoint batches on
PostgreSQL; on SQLite the write transaction (BEGIN IMMEDIATE) already serialises them.

An accepted complaint does not queue a task of its own: after its commit, `intake_wake`
queues one drain task (case_intake_drain_task) unless one is already waiting, which the
`IntakeWake` row records. The drain clears the record before it reads the pending cases,
so a case committed before the clear is read by that drain, and a case committed after it
finds no drain waiting and queues the next. A drain that sees more pending than its batch
queues another after its first group, so several workers share a backlog.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tingsu.cases.intake_retry import STALE_AFTER
from tingsu.cases.models import Case, IntakeWake
from tingsu.cases.services import _process_intake, unit_of_work
from tingsu.channels.outbox import outbox_deliveries_gathered

logger = logging.getLogger(__name__)

# Measured on SQLite (300 cases, bench world): 47 statements per case one transaction each,
# 41 in tens, 40.5 in fifties. On PostgreSQL tens keep nine tenths of the saving.
PER_TRANSACTION = 10


# SQLite has one writer: the API's accepts wait while a transaction of the drain holds the
# lock, so there a transaction also ends once its cases took this long. When a case took
# 25 ms, ten to a transaction cut the accepts from 116 to 42 a second (bench, 100k) and each
# case committed on its own; at 8 ms a case, ten to a transaction under this budget keeps
# the accepts (124 to 132/s) and takes the worker from 11.8 to 9.1 ms per complaint.
SQLITE_TRANSACTION_SECONDS = 0.05


def per_transaction() -> int:
    """The most cases one transaction processes (see transaction_budget)."""
    return PER_TRANSACTION


def transaction_budget() -> float | None:
    """Seconds of processing after which a transaction takes no further case: SQLite only
    (its single write lock); PostgreSQL locks the batch's rows alone."""
    return SQLITE_TRANSACTION_SECONDS if connection.vendor == "sqlite" else None


# Case id -> when processing it failed in this process (time.monotonic). A failed case stays
# pending for the scheduler's retry; without this every later batch would take it again
# first (oldest first), fail again and log again.
_failed: dict[int, float] = {}


def batch_size() -> int:
    return int(settings.TINGSU.get("INTAKE_BATCH_SIZE", 50))


def intake_process_pending(*, limit: int | None = None) -> int:
    """Process up to `limit` (INTAKE_BATCH_SIZE) pending cases, oldest first. Returns how
    many were processed."""
    return _process_pending(batch_size() if limit is None else limit)[1]


def _process_pending(limit: int, *, on_first_group=None) -> tuple[int, int]:
    """(cases taken, cases processed): taken counts those that failed too.
    `on_first_group(taken)` runs once, after the first transaction that took a full group.
    The notices and webhook events of all its transactions go to delivery tasks of a full
    batch each, not one task per transaction (on SQLite one per case), and the agents'
    open loads are read once per department and counted forward (agent_loads_kept)."""
    from tingsu.triage.assignment import agent_loads_kept

    with outbox_deliveries_gathered(), agent_loads_kept():
        return _process_groups(limit, on_first_group)


def _process_groups(limit: int, on_first_group) -> tuple[int, int]:
    taken = processed = 0
    while taken < limit:
        want = min(per_transaction(), limit - taken)
        found, got, done = _process_some(want)
        taken, processed = taken + got, processed + done
        if found < want and got == found:
            break  # nothing more is pending (cases left by the time budget still are)
        if on_first_group is not None:
            on_first_group(taken)
            on_first_group = None
    return taken, processed


def _process_some(limit: int) -> tuple[int, int, int]:
    """(cases found pending, taken, processed) in one transaction: it takes the cases it
    found until its time budget is spent; those left stay pending for the next."""
    budget = transaction_budget()
    started = time.monotonic()
    with transaction.atomic(), unit_of_work():
        pending = (
            Case.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("customer", "category")
            # IS NOT NULL spelled out, so both engines use the partial index on it.
            .filter(intake_pending_since__isnull=False)
            .order_by("intake_pending_since")
        )
        skipped = _recently_failed()
        if skipped:
            pending = pending.exclude(pk__in=skipped)
        cases = list(pending[:limit])
        # Locked by this transaction (or, on SQLite, read under its write lock), so no other
        # worker takes them: each case's pending mark is cleared in the one UPDATE that
        # writes its processing (cases.row_writes), not by a claim of its own.
        taken = processed = 0
        for case in cases:
            if taken and budget is not None and time.monotonic() - started >= budget:
                break
            taken += 1
            processed += _process_one(case)
        return len(cases), taken, processed


def _process_one(case: Case) -> bool:
    case.intake_pending_since = None
    try:
        with transaction.atomic():
            _process_intake(case, also_write=("intake_pending_since",))
    except Exception:
        logger.exception("Deferred intake of %s failed; left pending for the retry", case)
        # Nothing of it was written (the savepoint rolled back): still pending, as accepted.
        _failed[case.pk] = time.monotonic()
        return False
    return True


def _recently_failed() -> list[int]:
    horizon = time.monotonic() - STALE_AFTER.total_seconds()
    for pk in [pk for pk, at in _failed.items() if at < horizon]:
        del _failed[pk]
    return list(_failed)


# A drain queued longer ago than this is taken as lost (a process killed between setting
# the record and queueing the task, or a task backend that dropped it): the next accept
# queues another. A duplicate only finds the cases already taken.
WAKE_STALE_AFTER = timedelta(seconds=30)


def intake_wake() -> bool:
    """After an accept committed: queue a drain unless one is waiting. True if queued."""
    from tingsu.cases.tasks import case_intake_drain_task

    now = timezone.now()
    fresh = now - WAKE_STALE_AFTER
    # Read first: while a drain waits, accepts only read (on SQLite, no write lock taken).
    if IntakeWake.objects.filter(pk=1, queued_at__gte=fresh).exists():
        return False
    with transaction.atomic():
        IntakeWake.objects.get_or_create(pk=1)
        claimed = (
            IntakeWake.objects.filter(pk=1).exclude(queued_at__gte=fresh).update(queued_at=now)
        )
        if claimed:
            # django-tasks-db: a row in this transaction, so record and task go together.
            case_intake_drain_task.enqueue()
    return bool(claimed)


def intake_drain() -> int:
    """The drain task: clear the waiting record, then process a batch of pending cases,
    queueing another drain as soon as it is clear that more are pending than this batch
    takes (another worker may take it). Returns how many cases it processed."""
    IntakeWake.objects.filter(pk=1).update(queued_at=None)
    limit = batch_size() or 1

    def wake_if_more(taken: int) -> None:
        # After this drain's first full group, not after its batch: another worker takes the
        # next batch meanwhile. Only a drain that took cases wakes another, so cases left
        # pending after failing (the scheduler retries them) never keep drains waking drains.
        if _more_pending_than(limit - taken):
            intake_wake()

    _taken, processed = _process_pending(limit, on_first_group=wake_if_more)
    return processed


def _more_pending_than(count: int) -> bool:
    pending = Case.objects.filter(intake_pending_since__isnull=False).order_by()
    return pending.values("pk")[count : count + 1].exists()
