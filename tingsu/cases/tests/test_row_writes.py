"""A new case's row is written once for its whole intake processing (cases.row_writes):
the steps' changes reach the database together, and a step that fails takes back its own
changes only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tingsu.cases import intake_batch
from tingsu.cases.intake_batch import intake_process_pending
from tingsu.cases.models import Case, EventKind, Priority, Severity, Status
from tingsu.cases.tests import test_intake_batch
from tingsu.cases.tests.test_intake_batch import TEXTS, accept
from tingsu.core.testing import make_case
from tingsu.triage import hooks
from tingsu.triage.tests.helpers import events

configured = test_intake_batch.configured  # the fixture


def case_row_updates(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('UPDATE "cases_case"')]


def test_a_batch_writes_each_case_row_once_with_its_pending_mark(configured, monkeypatch):
    monkeypatch.setattr(intake_batch, "per_transaction", lambda: 10)
    cases = [accept(n, TEXTS[0]) for n in range(1, 5)]

    with CaptureQueriesContext(connection) as queries:
        assert intake_process_pending(limit=10) == 4

    # Routing and assignment changed each case: one UPDATE each, and no claim before them.
    assert len(case_row_updates(queries)) == len(cases)
    for case in Case.objects.filter(pk__in=[c.pk for c in cases]):
        assert case.intake_pending_since is None
        assert case.department == configured.logistics
        assert (case.assignee, case.status) == (configured.dave, Status.ASSIGNED)
        assert case.sla_due_at is not None  # the timers' trigger, not the held write


def test_a_failed_step_takes_back_its_own_changes_and_keeps_the_earlier_ones(world, monkeypatch):
    def broken(case):
        hooks.apply_routing(case, new=True)  # would route it, then fails
        raise RuntimeError("assignment is down")

    monkeypatch.setattr(hooks, "on_case_routed", broken)
    case = make_case(description="再不处理我就找记者曝光，发到微博上。")  # risk: media

    stored = Case.objects.get(pk=case.pk)
    # Risk's changes, made before the failed step, were written with their events...
    assert (stored.severity, stored.priority) == (Severity.URGENT, Priority.P2)
    changed = {e.data["field"] for e in events(stored, EventKind.FIELD_CHANGED)}
    assert {"severity", "priority"} <= changed
    # ...and the instance the caller got back agrees with the row.
    assert (case.severity, case.priority) == (stored.severity, stored.priority)
    assert case.department_id == stored.department_id


@pytest.mark.django_db(transaction=True)
def test_a_case_whose_processing_fails_keeps_its_pending_mark(configured, monkeypatch):
    monkeypatch.setattr(intake_batch, "per_transaction", lambda: 1)
    good, bad = accept(1, TEXTS[0]), accept(2, TEXTS[1])
    real = intake_batch._process_intake

    def failing(case, **kwargs):
        if case.pk == bad.pk:
            real(case, **kwargs)
            raise RuntimeError("after every step, before the commit")
        return real(case, **kwargs)

    monkeypatch.setattr(intake_batch, "_process_intake", failing)
    assert intake_process_pending(limit=10) == 1

    bad.refresh_from_db()
    assert bad.intake_pending_since is not None and bad.assignee is None
    assert not events(bad, EventKind.ASSIGNED).exists()
    good.refresh_from_db()
    assert good.intake_pending_since is None and good.assignee == configured.dave
