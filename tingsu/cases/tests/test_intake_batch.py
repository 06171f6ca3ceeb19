"""Deferred intake in batches (issue 6): an intake task processes its own case and then
other pending ones; every case is processed once, as an inline intake would, and a case
that fails stays pending for the retry without holding up the others."""

import json
import os
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tingsu.api.tests import conftest as api_conftest
from tingsu.api.tests import test_intake_cost, test_intake_deferred
from tingsu.api.tests.test_intake_deferred import intake_tasks, outcome, post, worker_batch
from tingsu.audit.models import AuditEntry
from tingsu.audit.verify import audit_chain_verify
from tingsu.cases import intake_batch
from tingsu.cases.intake_batch import WAKE_STALE_AFTER, intake_drain, intake_process_pending
from tingsu.cases.intake_retry import STALE_AFTER, intake_retry_claim_due
from tingsu.cases.models import Case, CaseEvent, Channel, IntakeWake
from tingsu.cases.services import Actor, case_create, case_process_intake
from tingsu.channels.models import OutboxMessage
from tingsu.channels.tasks import deliver_outbox_batch_task
from tingsu.customers.services import customer_resolve
from tingsu.sla.models import BusinessCalendar, SlaPolicy, SlaTimer

api_as, make_key = api_conftest.api_as, api_conftest.make_key
configured = test_intake_cost.configured
_seeded = test_intake_deferred._seeded  # fixtures, used by the transactional tests

TEXTS = ["快递三天没到，杯子也碎了。", "发票开错了，请重开。", "杯子碎了。", "快递员态度很差。"]


@pytest.fixture(autouse=True)
def _no_failures_remembered():
    # Case ids are reused between tests (rolled back): forget the failures of other tests.
    intake_batch._failed.clear()
    yield
    intake_batch._failed.clear()


def accept(n: int, text: str, *, channel: str = Channel.API) -> Case:
    customer = customer_resolve(name=f"顾客{n}", phone=f"1390000{n:04d}")
    case, _ = case_create(
        actor=Actor.customer(customer),
        customer=customer,
        channel=channel,
        subject="",
        description=text,
        defer_processing=True,
    )
    return case


def tasks_return_values() -> list[int]:
    return list(intake_tasks().order_by("enqueued_at").values_list("return_value", flat=True))


@pytest.mark.django_db(transaction=True)
def test_one_drain_processes_every_accepted_case_as_an_inline_intake_would(
    api_as, configured, deferred, settings, _seeded
):
    from tingsu.accounts.models import ApiKeyScope

    api = api_as(scopes=[ApiKeyScope.INTAKE])
    later = [post(api, n, text)[1] for n, text in enumerate(TEXTS, 1)]
    # The first accept queued a drain; the other three found it waiting.
    assert intake_tasks().filter(status="READY").count() == 1
    worker_batch()  # the real db_worker
    assert tasks_return_values() == [len(TEXTS)]
    assert not intake_tasks().exclude(status="SUCCESSFUL").exists()

    settings.TINGSU = {**settings.TINGSU, "INTAKE_DEFERRED": False}
    twins = [post(api, n, text)[1] for n, text in enumerate(TEXTS, 11)]
    for case, twin in zip(later, twins, strict=True):
        assert outcome(case) == outcome(twin)
    assert outcome(later[0])["department"] == configured.logistics.pk
    assert outcome(later[1])["department"] == configured.service.pk
    # Once each: one "created" webhook per case, one set of timers.
    for case in later:
        assert outcome(case)["outbox"][("webhook", "case.created")] == 1
    assert audit_chain_verify().ok


@pytest.fixture
def broken_phone_policy(world):
    """An SLA policy for phone complaints whose target no date can hold (a typo in the
    admin): starting its timers raises."""
    return SlaPolicy.objects.create(
        name="电话（错误）",
        key="phone-broken",
        calendar=BusinessCalendar.objects.first(),
        order=0,
        channel=Channel.PHONE,
        resolution_unit="calendar_days",
        resolution_value=3_000_000,
    )


@pytest.mark.django_db
def test_a_case_that_fails_stays_pending_and_the_others_are_processed(world, broken_phone_policy):
    good = [accept(1, TEXTS[0]), accept(2, TEXTS[2])]
    bad = accept(3, TEXTS[0], channel=Channel.PHONE)
    accepted = Case.objects.get(pk=bad.pk).intake_pending_since
    audit_rows = AuditEntry.objects.count()

    assert intake_process_pending(limit=10) == 2

    for case in good:
        assert outcome(case)["pending"] is False and outcome(case)["timers"]
    # Nothing of the failed case was written; it is pending as it was accepted.
    bad.refresh_from_db()
    assert bad.intake_pending_since == accepted and bad.department_id is None
    assert not SlaTimer.objects.filter(case=bad).exists()
    assert not OutboxMessage.objects.filter(case=bad).exists()
    assert CaseEvent.objects.filter(case=bad).count() == 1  # its "created" event
    assert AuditEntry.objects.count() == audit_rows + len(
        AuditEntry.objects.filter(object_id__in=[str(c.pk) for c in good]).exclude(
            action="case.create"
        )
    )
    assert audit_chain_verify().ok

    # Later batches leave it to the retry instead of failing on it again and again.
    accept(4, TEXTS[2])
    assert intake_process_pending(limit=10) == 1
    bad.refresh_from_db()
    assert bad.intake_pending_since == accepted

    # The scheduler's retry queues it once it is stale; fixed, it goes through.
    broken_phone_policy.resolution_value = 3
    broken_phone_policy.save()
    with time_machine.travel(timezone.now() + STALE_AFTER + timedelta(minutes=1), tick=False):
        assert intake_retry_claim_due() is True
    assert case_process_intake(case_id=bad.pk) is True
    assert outcome(bad)["pending"] is False


@pytest.mark.django_db
def test_a_case_already_processed_is_not_taken_again(world):
    case = accept(1, TEXTS[0])
    assert case_process_intake(case_id=case.pk) is True
    before = outcome(case)
    assert intake_process_pending(limit=10) == 0
    assert outcome(case) == before


@pytest.mark.django_db
def test_a_batch_stops_at_its_size_oldest_first(world):
    cases = [accept(n, TEXTS[n % 4]) for n in range(1, 15)]
    assert intake_process_pending(limit=12) == 12
    pending = Case.objects.filter(intake_pending_since__isnull=False)
    assert sorted(pending.values_list("pk", flat=True)) == [c.pk for c in cases[12:]]


# The configured world of test_intake_cost (a routing rule with a tag and an SLA policy,
# assignment, a webhook): one case processed alone (case_process_intake) runs 36
# statements, its audit-chain append and configuration read included; in a batch of ten,
# where those are shared, 31.8 per case (46 and 40.8 before one webhook event per case,
# the events of one change in one INSERT and no savepoint around a webhook row); 28.9 since
# each case's row is written once for its whole processing, its pending mark with it.
MAX_QUERIES_PER_CASE_IN_A_BATCH = 29


@pytest.mark.django_db
def test_a_case_in_a_batch_runs_fewer_queries_than_alone(configured, monkeypatch):
    # Ten to a transaction, however long they take (SQLite's time budget: the next test).
    monkeypatch.setattr(intake_batch, "per_transaction", lambda: 10)
    monkeypatch.setattr(intake_batch, "SQLITE_TRANSACTION_SECONDS", 60)
    first = accept(1, TEXTS[0])
    case_process_intake(case_id=first.pk)  # loads the configuration into this process
    cases = [accept(n, TEXTS[0]) for n in range(2, 12)]
    one = accept(99, TEXTS[0])
    with CaptureQueriesContext(connection) as alone:
        case_process_intake(case_id=one.pk)
    with CaptureQueriesContext(connection) as queries:
        assert intake_process_pending(limit=10) == 10
    assert len(alone) > MAX_QUERIES_PER_CASE_IN_A_BATCH
    assert len(queries) / len(cases) <= MAX_QUERIES_PER_CASE_IN_A_BATCH
    for case in cases:
        case.refresh_from_db()
        assert case.department == configured.logistics and case.assignee == configured.dave


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_a_transaction_ends_when_its_time_is_spent_so_accepts_do_not_wait(
    _seeded, configured, monkeypatch
):
    def commits_to_process(n: int) -> int:
        for i in range(n):
            accept(100 + Case.objects.count() + i, TEXTS[0])
        with CaptureQueriesContext(connection) as queries:
            # A batch larger than what is pending: the cases a transaction found but left
            # for lack of time are not taken for "nothing more is pending".
            assert intake_process_pending(limit=50) == n
        return sum(1 for q in queries if q["sql"].upper().startswith("COMMIT"))

    # No time at all: one case per transaction on SQLite (the write lock is free between
    # them); PostgreSQL, whose accepts never wait on the worker, has no budget.
    monkeypatch.setattr(intake_batch, "SQLITE_TRANSACTION_SECONDS", 0)
    assert commits_to_process(3) == (3 if connection.vendor == "sqlite" else 1)
    # Time enough: up to ten cases share a transaction on both engines.
    monkeypatch.setattr(intake_batch, "SQLITE_TRANSACTION_SECONDS", 60)
    assert commits_to_process(3) == 1
    assert not Case.objects.filter(intake_pending_since__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_the_events_of_a_drains_transactions_go_to_delivery_tasks_of_a_full_batch_each(
    _seeded, configured, monkeypatch, settings
):
    # One transaction per case, as on SQLite; a task per transaction was a task per case.
    monkeypatch.setattr(intake_batch, "per_transaction", lambda: 1)
    settings.TINGSU = {**settings.TINGSU, "OUTBOX_BATCH_SIZE": 4}
    cases = [accept(n, TEXTS[0]) for n in range(1, 6)]

    assert intake_process_pending(limit=5) == 5

    events = list(
        OutboxMessage.objects.filter(case__in=cases).order_by("pk").values_list("pk", flat=True)
    )
    assert len(events) == 5  # one case.created per case, to the CRM's endpoint
    tasks = DBTaskResult.objects.filter(task_path=deliver_outbox_batch_task.module_path)
    batches = [t.args_kwargs["kwargs"]["message_ids"] for t in tasks.order_by("enqueued_at")]
    assert batches == [events[:4], events[4:]]


@pytest.mark.django_db(transaction=True)
def test_accepts_queue_one_drain_while_it_waits_and_the_next_after_it_starts(
    api_as, configured, deferred, _seeded
):
    from tingsu.accounts.models import ApiKeyScope

    api = api_as(scopes=[ApiKeyScope.INTAKE])
    for n in range(1, 4):
        post(api, n)
    assert intake_tasks().filter(status="READY").count() == 1

    # The drain starts: it clears the record first, so the next accept queues another.
    IntakeWake.objects.filter(pk=1).update(queued_at=None)
    post(api, 4)
    assert intake_tasks().filter(status="READY").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_drain_queued_long_ago_counts_as_lost_and_the_next_accept_queues_one(
    api_as, configured, deferred, _seeded
):
    from tingsu.accounts.models import ApiKeyScope

    api = api_as(scopes=[ApiKeyScope.INTAKE])
    post(api, 1)
    IntakeWake.objects.filter(pk=1).update(
        queued_at=timezone.now() - WAKE_STALE_AFTER - timedelta(seconds=1)
    )
    post(api, 2)
    assert intake_tasks().filter(status="READY").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_drain_with_a_full_batch_queues_another_for_the_rest(
    api_as, configured, deferred, settings, _seeded
):
    from tingsu.accounts.models import ApiKeyScope

    settings.TINGSU = {**settings.TINGSU, "INTAKE_BATCH_SIZE": 2}
    api = api_as(scopes=[ApiKeyScope.INTAKE])
    for n in range(1, 6):
        post(api, n)

    worker_batch()  # drains of two, each queueing the next while cases are left

    assert not Case.objects.filter(intake_pending_since__isnull=False).exists()
    assert tasks_return_values() == [2, 2, 1]


def test_cases_that_keep_failing_do_not_keep_drains_waking_drains(
    world, broken_phone_policy, settings
):
    settings.TINGSU = {**settings.TINGSU, "INTAKE_BATCH_SIZE": 2}
    bad = [accept(n, TEXTS[0], channel=Channel.PHONE) for n in range(1, 5)]
    drains = 0

    while True:
        drains += 1
        assert intake_drain() == 0
        queued = intake_tasks().filter(status="READY")
        if not queued.exists():
            break
        queued.delete()  # what a worker taking it would leave
        assert drains < 5, "drains keep waking drains"

    # Each case was tried once and is left to the scheduler's retry.
    assert Case.objects.filter(pk__in=[c.pk for c in bad], intake_pending_since__isnull=False)
    assert Case.objects.filter(intake_pending_since__isnull=False).count() == len(bad)


# Two workers draining the same pending cases at once.
RACE_CASES = 24
RACE_WORKERS = 2


def drain_concurrently() -> tuple[list[int], list[str]]:
    """Each worker takes small batches until it finds nothing; returns how many each
    processed, and any errors."""
    counts: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(RACE_WORKERS)

    def worker() -> None:
        try:
            start.wait()
            processed = 0
            while got := intake_process_pending(limit=3):
                processed += got
            with lock:
                counts.append(processed)
        except BaseException as exc:  # reported to the main thread
            with lock:
                errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(RACE_WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return counts, errors


def processed_once(case_ids: list[int]) -> bool:
    """Every case processed, none twice: two timers each (first response, resolution) and
    one "case received" pass each, shown by its SLA timers."""
    pending = Case.objects.filter(pk__in=case_ids, intake_pending_since__isnull=False)
    timers = [SlaTimer.objects.filter(case_id=pk).count() for pk in case_ids]
    return not pending.exists() and timers == [2] * len(case_ids)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_postgresql_never_process_a_case_twice(world, _seeded):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL; CI runs this suite on PostgreSQL too")
    ids = [accept(n, TEXTS[n % 4]).pk for n in range(RACE_CASES)]
    counts, errors = drain_concurrently()
    assert errors == []
    assert sum(counts) == RACE_CASES
    assert processed_once(ids)
    assert audit_chain_verify().ok


# The SQLite test database is in memory with a shared cache (see test_numbering_concurrency):
# the race runs in a child process on a WAL file, with the production connection options.
SQLITE_RACE = """
import json
import django
django.setup()
from django.core.management import call_command
from django.db import connection
call_command("migrate", verbosity=0)
from tingsu.audit.verify import audit_chain_verify
from tingsu.cases.tests import test_intake_batch as t
from tingsu.core.testing import make_world
make_world()
ids = [t.accept(n, t.TEXTS[n %% 4]).pk for n in range(t.RACE_CASES)]
connection.close()
counts, errors = t.drain_concurrently()
print(json.dumps({"counts": counts, "errors": errors, "once": t.processed_once(ids),
                  "chain": audit_chain_verify().ok}))
"""


@pytest.mark.sqlite
def test_two_workers_on_a_sqlite_wal_file_never_process_a_case_twice(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "tingsu.settings",
        "TINGSU_VAR_DIR": str(tmp_path),
    }
    proc = subprocess.run(
        [sys.executable, "-c", SQLITE_RACE % {}],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=settings.BASE_DIR,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert sum(result["counts"]) == RACE_CASES
    assert result["once"] and result["chain"]
