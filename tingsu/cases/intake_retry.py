"""Deferred intake that never finished: a case accepted with `defer_processing` whose task
was lost (a worker killed mid-task) or failed (its transaction rolled back, so the case is
still pending) is queued again by the scheduler once it has waited `STALE_AFTER`.

The claim moves `intake_pending_since` to now, a lease: the case is not claimed again for
another `STALE_AFTER`, and the task itself is idempotent (case_process_intake claims the
mark first), so a duplicate from a slow queue does nothing.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tingsu.cases.models import Case

# Longer than any queue backlog a burst should leave: a retry of a case still queued only
# costs one no-op task.
STALE_AFTER = timedelta(minutes=15)


def intake_retry_claim_due() -> bool:
    """Claim one case pending longer than STALE_AFTER and queue its processing again.
    Returns True if one was claimed (there may be more)."""
    from tingsu.cases.tasks import case_process_intake_task

    now = timezone.now()
    with transaction.atomic():
        due = (
            Case.objects.select_for_update(skip_locked=True)
            # IS NOT NULL spelled out, so both engines use the partial index on it.
            .filter(intake_pending_since__isnull=False)
            .filter(intake_pending_since__lte=now - STALE_AFTER)
            .order_by("intake_pending_since")
            .values_list("pk", "intake_pending_since")
            .first()
        )
        if due is None:
            return False
        pk, since = due
        claimed = Case.objects.filter(pk=pk, intake_pending_since=since).update(
            intake_pending_since=now
        )
        if claimed == 1:
            transaction.on_commit(lambda: case_process_intake_task.enqueue(case_id=pk))
    return True
