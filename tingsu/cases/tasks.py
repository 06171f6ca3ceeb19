"""Background tasks for cases. Each parses its arguments and calls one function; each is
idempotent, because the database worker may run a task more than once."""

from datetime import datetime

from django_tasks import task

from tingsu.cases.auto_close import case_auto_close
from tingsu.cases.intake_batch import intake_drain, intake_process_pending
from tingsu.cases.services import case_process_intake


@task()
def auto_close_case_task(case_id: int, lease: str) -> bool:
    return case_auto_close(case_id=case_id, lease=datetime.fromisoformat(lease))


@task()
def case_process_intake_task(case_id: int) -> bool:
    """Its own case, then a batch of other pending ones (cheaper together, see
    intake_batch); the tasks of those find nothing to do. True if its own case was
    processed here."""
    processed = case_process_intake(case_id=case_id)
    intake_process_pending()
    return processed


@task()
def case_intake_drain_task() -> int:
    """Deferred intake: a batch of pending cases (intake_batch.intake_drain)."""
    return intake_drain()
