"""The scheduler claims resolved cases past `auto_close_at`; the worker closes them."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tingsu.audit.models import AuditEntry
from tingsu.cases.auto_close import CLAIM_LEASE
from tingsu.cases.models import AuthorType, Case, CaseEvent, EventKind, Status
from tingsu.cases.services import Actor, case_transition
from tingsu.cases.tasks import auto_close_case_task
from tingsu.cases.workflow import Action
from tingsu.core.testing import make_case

# The real db_worker runs in-process; it closes "old" connections between tasks, which only
# works outside a wrapping test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def resolved(world):
    case = make_case(assignee=world.alice)
    return case_transition(
        actor=Actor.staff(world.alice),
        case=case,
        action=Action.RESOLVE,
        resolution_code=world.resolution_code,
        root_cause=world.root_cause,
        summary="已为您办理退款。",
    )


def auto_close_tasks():
    # Other tasks (the customer's milestone notifications) share the queue.
    return DBTaskResult.objects.filter(task_path=auto_close_case_task.module_path)


def scheduler_pass(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("scheduler", "--once", stdout=io.StringIO())


def worker_batch():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def close_events(case):
    return CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION, data__action="close")


def test_it_closes_a_resolved_case_once_its_auto_close_time_has_passed(
    resolved, django_capture_on_commit_callbacks
):
    with time_machine.travel(resolved.auto_close_at + timedelta(minutes=1)):
        scheduler_pass(django_capture_on_commit_callbacks)
        assert auto_close_tasks().count() == 1
        worker_batch()
    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED
    assert resolved.closed_at is not None and resolved.auto_close_at is None
    event = close_events(resolved).get()
    assert event.author_type == AuthorType.SYSTEM and event.author is None
    assert event.data["from"] == Status.RESOLVED and event.data["to"] == Status.CLOSED
    audit = AuditEntry.objects.get(action="case.close", object_id=str(resolved.pk))
    assert audit.actor is None and audit.actor_label == "scheduler"
    assert auto_close_tasks().get().status == "SUCCESSFUL"


def test_it_leaves_a_resolved_case_alone_before_its_auto_close_time(
    resolved, django_capture_on_commit_callbacks
):
    with time_machine.travel(resolved.auto_close_at - timedelta(minutes=1)):
        scheduler_pass(django_capture_on_commit_callbacks)
    assert auto_close_tasks().count() == 0
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED
    assert not close_events(resolved).exists()


def test_it_does_not_close_a_case_the_customer_reopened(
    resolved, django_capture_on_commit_callbacks
):
    case_transition(actor=Actor.customer(resolved.customer), case=resolved, action=Action.REOPEN)
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        scheduler_pass(django_capture_on_commit_callbacks)
        worker_batch()
    resolved.refresh_from_db()
    assert resolved.status == Status.IN_PROGRESS
    assert auto_close_tasks().count() == 0
    assert not close_events(resolved).exists()


def test_it_skips_a_case_reopened_after_the_scheduler_claimed_it(
    resolved, settings, django_capture_on_commit_callbacks
):
    settings.TINGSU = {**settings.TINGSU, "REOPEN_WINDOW_DAYS": 30}
    with time_machine.travel(resolved.auto_close_at + timedelta(minutes=1)):
        scheduler_pass(django_capture_on_commit_callbacks)
        case_transition(
            actor=Actor.customer(resolved.customer), case=resolved, action=Action.REOPEN
        )
        worker_batch()
    resolved.refresh_from_db()
    assert resolved.status == Status.IN_PROGRESS
    assert not close_events(resolved).exists()
    assert not AuditEntry.objects.filter(action="case.close").exists()
    result = auto_close_tasks().get()
    assert result.status == "SUCCESSFUL" and result.return_value is False


def test_a_repeated_task_closes_the_case_only_once(resolved, django_capture_on_commit_callbacks):
    with time_machine.travel(resolved.auto_close_at + timedelta(minutes=1)):
        scheduler_pass(django_capture_on_commit_callbacks)
        lease = Case.objects.get(pk=resolved.pk).auto_close_at.isoformat()
        auto_close_case_task.enqueue(case_id=resolved.pk, lease=lease)
        worker_batch()
    assert close_events(resolved).count() == 1
    assert AuditEntry.objects.filter(action="case.close").count() == 1


def test_it_claims_a_case_again_when_its_task_was_lost(
    resolved, django_capture_on_commit_callbacks
):
    due = resolved.auto_close_at + timedelta(minutes=1)
    with time_machine.travel(due):
        scheduler_pass(django_capture_on_commit_callbacks)
    DBTaskResult.objects.all().delete()  # the worker never saw it
    with time_machine.travel(due + CLAIM_LEASE / 2):
        scheduler_pass(django_capture_on_commit_callbacks)
        assert auto_close_tasks().count() == 0  # still leased
    with time_machine.travel(due + CLAIM_LEASE + timedelta(minutes=1)):
        scheduler_pass(django_capture_on_commit_callbacks)
        worker_batch()
    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED
    assert close_events(resolved).count() == 1
