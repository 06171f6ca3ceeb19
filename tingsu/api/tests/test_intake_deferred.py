"""Accept, then process (issue 6): with INTAKE_DEFERRED the API answers once the case is
written and leaves triage, routing, assignment, SLA timers, notifications and webhooks to
the task worker. The real db_worker runs here, in-process, and the result must be what an
inline intake produces."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from tingsu.accounts.models import ApiKeyScope
from tingsu.api.tests import test_intake_cost
from tingsu.audit.models import AuditEntry
from tingsu.audit.verify import audit_chain_verify
from tingsu.cases.models import Case, CaseEvent, Channel, EventKind
from tingsu.cases.services import Actor, case_create, case_process_intake
from tingsu.cases.tasks import case_intake_drain_task, case_process_intake_task
from tingsu.channels.models import OutboxMessage
from tingsu.customers.services import customer_resolve
from tingsu.sla.models import SlaTimer
from tingsu.triage.learning.models import TriagePrediction
from tingsu.triage.models import CaseRouting

configured = test_intake_cost.configured  # the same configured world (a fixture)

# The worker closes "old" connections between tasks: no wrapping test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _seeded(reseeded):
    """A transactional test starts from an emptied database (the `reseeded` fixture)."""


TEXT = "快递三天没到，杯子也碎了。"


def post(api, n, text=TEXT):
    response = api.post(
        "/complaints",
        {"customer": {"name": f"顾客{n}", "phone": f"1390000{n:04d}"}, "description": text},
    )
    assert response.status_code == 201, response.content
    return response.json(), Case.objects.get(number=response.json()["number"])


def intake_tasks():
    """Drains (queued by accepts) and per-case tasks (the scheduler's retry, or a
    duplicate)."""
    paths = [case_intake_drain_task.module_path, case_process_intake_task.module_path]
    return DBTaskResult.objects.filter(task_path__in=paths)


def worker_batch():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def outcome(case: Case) -> dict:
    """What a person or an integrator sees of a processed case, minus ids and times."""
    case.refresh_from_db()
    return {
        "status": case.status,
        "department": case.department_id,
        "assignee": case.assignee_id,
        "priority": case.priority,
        "severity": case.severity,
        "category": case.category_id,
        "tags": sorted(case.tags.values_list("name", flat=True)),
        "routing": list(CaseRouting.objects.filter(case=case).values_list("rule_name", flat=True)),
        "timers": sorted(
            (t.kind, t.policy.key, t.stopped_at is None) for t in SlaTimer.objects.filter(case=case)
        ),
        "predictions": TriagePrediction.objects.filter(case=case).count(),
        "events": Counter(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)),
        "outbox": Counter(
            (m.transport, m.payload.get("event", ""))
            for m in OutboxMessage.objects.filter(case=case)
        ),
        "audit": Counter(
            AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk))
            .exclude(action="case.create")
            .values_list("action", flat=True)
        ),
        "pending": case.intake_pending_since is not None,
    }


def test_the_api_answers_with_the_number_before_the_case_is_processed(
    api_as,
    configured,
    deferred,
):
    api = api_as(scopes=[ApiKeyScope.INTAKE])
    body, case = post(api, 1)
    assert body["processing"] == "pending" and body["number"] == case.number
    assert body["tracking_url"].endswith(f"/portal/track/{case.number}/?t={body['token']}")
    # Accepted: the customer's words, the created event and the audit entry are there ...
    assert case.intake_pending_since is not None
    assert case.description == TEXT and case.channel == Channel.API
    assert CaseEvent.objects.filter(case=case, kind=EventKind.CREATED).count() == 1
    assert AuditEntry.objects.filter(action="case.create", object_id=str(case.pk)).count() == 1
    # ... with one task queued for the rest, which has not happened yet.
    assert intake_tasks().filter(status="READY").count() == 1
    assert case.department_id is None and case.assignee_id is None
    assert not SlaTimer.objects.filter(case=case).exists()
    assert not OutboxMessage.objects.filter(case=case).exists()

    worker_batch()

    case.refresh_from_db()
    assert case.intake_pending_since is None
    assert case.department == configured.logistics and case.assignee == configured.dave
    assert intake_tasks().get().status == "SUCCESSFUL"
    assert audit_chain_verify().ok
    # The SLA clock started when the complaint was accepted, not when the worker got to it.
    first = SlaTimer.objects.filter(case=case).order_by("started_at").first()
    assert first.started_at == case.created_at


def test_the_worker_produces_what_an_inline_intake_produces(
    api_as,
    configured,
    deferred,
    settings,
):
    api = api_as(scopes=[ApiKeyScope.INTAKE])
    _, later = post(api, 1)
    worker_batch()
    settings.TINGSU = {**settings.TINGSU, "INTAKE_DEFERRED": False}
    body, inline = post(api, 2)
    assert body["processing"] == "done"
    assert not intake_tasks().exclude(status="SUCCESSFUL").exists()

    twin = outcome(inline)
    assert twin["department"] == configured.logistics.pk and twin["timers"]
    assert twin["outbox"][("webhook", "case.created")] == 1
    assert outcome(later) == twin


def test_running_the_task_again_changes_nothing(api_as, configured, deferred):
    api = api_as(scopes=[ApiKeyScope.INTAKE])
    _, case = post(api, 1)
    worker_batch()
    once = outcome(case)
    audit_rows = AuditEntry.objects.count()

    case_process_intake_task.enqueue(case_id=case.pk)  # a retried or duplicated task
    worker_batch()
    assert case_process_intake(case_id=case.pk) is False

    assert outcome(case) == once
    assert AuditEntry.objects.count() == audit_rows
    assert intake_tasks().filter(status="SUCCESSFUL").count() == 2


def test_a_case_processed_inline_is_never_processed_again(world):
    customer = customer_resolve(name="顾客", phone="13900001234")
    case, _ = case_create(
        actor=Actor.customer(customer),
        customer=customer,
        channel=Channel.API,
        description=TEXT,
        subject="",
    )
    before = outcome(case)
    assert before["pending"] is False
    assert case_process_intake(case_id=case.pk) is False
    assert outcome(case) == before


def test_a_failure_later_in_the_request_leaves_neither_case_nor_task(world):
    customer = customer_resolve(name="顾客", phone="13900001234")
    with pytest.raises(RuntimeError), transaction.atomic():
        case_create(
            actor=Actor.customer(customer),
            customer=customer,
            channel=Channel.API,
            subject="",
            description=TEXT,
            defer_processing=True,
        )
        raise RuntimeError("the caller failed after the case row")
    assert not Case.objects.filter(description=TEXT).exists()
    assert not intake_tasks().exists()


def test_a_repeated_idempotency_key_returns_the_pending_case_without_a_second_task(
    api_as, world, deferred
):
    api = api_as(scopes=[ApiKeyScope.INTAKE])
    body = {"customer": {"name": "顾客", "phone": "13900001234"}, "description": TEXT}
    first = api.post("/complaints", body, headers={"Idempotency-Key": "k1"})
    again = api.post("/complaints", body, headers={"Idempotency-Key": "k1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    assert again.json()["processing"] == "pending"
    assert intake_tasks().count() == 1
    worker_batch()
    third = api.post("/complaints", body, headers={"Idempotency-Key": "k1"})
    assert third.status_code == 200 and third.json()["processing"] == "done"
