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
from tingsu.core.claims import claim_oldest_due

# Longer than any queue backlog a burst should leave: a retry of a case still queued only
# costs one no-op task.
STALE_AFTER = timedelta(minutes=15)


def intake_retry_claim_due() -> bool:
    """Claim one case pending longer than STALE_AFTER and queue its processing again.
    Returns True if one was claimed (there may be more)."""
    from tingsu.cases.tasks import case_process_intake_task

    now = timezone.now()
    with transaction.atomic():
        # IS NOT NULL spelled out, so both engines use the partial index on it.
        due = Case.objects.filter(intake_pending_since__isnull=False).filter(
            intake_pending_since__lte=now - STALE_AFTER
        )
        claim = claim_oldest_due(due, field="intake_pending_since", set_to=now)
        if claim is None:
            return False
        if claim.won:
            transaction.on_commit(lambda: case_process_intake_task.enqueue(case_id=claim.pk))
    return True
