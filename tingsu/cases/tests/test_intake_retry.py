"""A deferred intake whose task was lost is queued again by the scheduler after a while,
once, and then processed like any other."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tingsu.cases.intake_retry import STALE_AFTER, intake_retry_claim_due
from tingsu.cases.models import Channel
from tingsu.cases.services import Actor, case_create, case_process_intake
from tingsu.cases.tasks import case_process_intake_task
from tingsu.customers.services import customer_resolve

pytestmark = pytest.mark.django_db


def tasks_for(case) -> int:
    return sum(
        1
        for args in DBTaskResult.objects.filter(
            task_path=case_process_intake_task.module_path
        ).values_list("args_kwargs", flat=True)
        if args["kwargs"] == {"case_id": case.pk}
    )


@pytest.fixture
def lost(world):
    """A case accepted for deferred processing whose queued task has been lost."""
    customer = customer_resolve(name="王芳", phone="13900001111")
    case, _ = case_create(
        actor=Actor.system("test"),
        customer=customer,
        channel=Channel.API,
        subject="",
        description="快递三天没到，杯子也碎了。",
        category=world.category,
        defer_processing=True,
    )
    DBTaskResult.objects.all().delete()
    return case


def test_a_fresh_pending_case_is_left_to_its_task(lost, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert intake_retry_claim_due() is False
    assert tasks_for(lost) == 0


def test_a_stale_one_is_queued_once_then_processed(lost, django_capture_on_commit_callbacks):
    later = timezone.now() + STALE_AFTER + timedelta(minutes=1)
    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert intake_retry_claim_due() is True
        assert intake_retry_claim_due() is False  # the claim is a lease
    assert tasks_for(lost) == 1
    lost.refresh_from_db()
    assert lost.intake_pending_since is not None

    assert case_process_intake(case_id=lost.pk) is True  # what the queued task runs
    lost.refresh_from_db()
    assert lost.intake_pending_since is None and lost.department is not None
    assert lost.sla_timers.exists()
    with time_machine.travel(later + STALE_AFTER * 2, tick=False):
        assert intake_retry_claim_due() is False
