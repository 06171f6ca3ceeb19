"""Closing resolved cases once their `auto_close_at` has passed.

The scheduler claims one due case at a time with a conditional UPDATE that moves
`auto_close_at` forward by a lease, then enqueues `auto_close_case_task` after commit.
The worker closes the case only if it is still resolved and still carries that lease, so
a case reopened (or resolved again) in between is left alone, a duplicate task is a no-op,
and a task that got lost is claimed again once the lease runs out.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from tingsu.cases.models import Case, Status
from tingsu.cases.services import Actor, case_transition
from tingsu.cases.workflow import Action
from tingsu.core.claims import claim_oldest_due
from tingsu.core.errors import TingsuError

# How long a claimed case waits for the worker before the scheduler claims it again.
CLAIM_LEASE = timedelta(hours=1)
SCHEDULER_ACTOR_LABEL = "scheduler"


def auto_close_claim_due() -> bool:
    """Claim one resolved case whose auto-close time has passed and enqueue its closing.

    Returns True if a case was claimed (there may be more), False if none is due.
    """
    from tingsu.cases.tasks import auto_close_case_task

    now = timezone.now()
    lease = now + CLAIM_LEASE
    with transaction.atomic():
        due = Case.objects.filter(status=Status.RESOLVED, auto_close_at__lte=now)
        claim = claim_oldest_due(due, field="auto_close_at", set_to=lease)
        if claim is None:
            return False
        if claim.won:
            transaction.on_commit(
                lambda: auto_close_case_task.enqueue(case_id=claim.pk, lease=lease.isoformat())
            )
    # Losing the race to another scheduler still counts as work: look again at once.
    return True


def case_auto_close(*, case_id: int, lease: datetime) -> bool:
    """Close the case if it is still resolved and still holds this claim. Idempotent."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update()
            .filter(pk=case_id, status=Status.RESOLVED, auto_close_at=lease)
            .first()
        )
        if case is None:
            return False
        try:
            case_transition(
                actor=Actor.system(SCHEDULER_ACTOR_LABEL), case=case, action=Action.CLOSE
            )
        except TingsuError:
            return False
    return True
