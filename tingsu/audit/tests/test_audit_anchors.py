"""Anchors: the chain head, logged and stored, and exportable for an off-host copy."""

import io
import json
import logging
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from tingsu.audit.anchors import audit_anchor_claim_due
from tingsu.audit.models import AuditAnchor, AuditEntry
from tingsu.audit.testing import record_entries

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


def test_the_anchor_command_stores_and_logs_the_head(world, caplog):
    *_, last = record_entries(world.alice, world.service, 3)
    with caplog.at_level(logging.INFO, logger="tingsu.audit.anchor"):
        printed = json.loads(run("anchor"))
    assert (printed["seq"], printed["hash"]) == (last.seq, last.hash)
    anchor = AuditAnchor.objects.get()
    assert (anchor.seq, anchor.hash) == (last.seq, last.hash)
    (record,) = [r for r in caplog.records if r.name == "tingsu.audit.anchor"]
    assert last.hash in record.getMessage() and f'"seq":{last.seq}' in record.getMessage()


def test_the_anchor_command_refuses_an_empty_chain(db):
    with pytest.raises(CommandError, match="empty"):
        run("anchor")


def test_export_anchors_prints_json_lines(world):
    record_entries(world.alice, world.service, 1)
    run("anchor")
    record_entries(world.alice, world.service, 1)
    run("anchor")
    lines = [json.loads(line) for line in run("export", "--anchors").splitlines()]
    assert [a["seq"] for a in lines] == [1, 2]
    assert all(len(a["hash"]) == 64 and a["time"].endswith("Z") for a in lines)


def test_export_prints_entries_and_records_that_it_did(world):
    entries = record_entries(world.alice, world.service, 3)
    lines = [json.loads(line) for line in run("export", "--since-seq", "1").splitlines()]
    assert [e["seq"] for e in lines] == [2, 3]
    assert lines[-1]["hash"] == entries[-1].hash
    export = AuditEntry.objects.get(action="audit.export")
    assert export.actor_label == "tingsu audit export" and export.changes["rows"] == 2


def test_the_scheduler_anchors_once_per_period_and_only_a_moved_head(world, settings):
    settings.TINGSU = {**settings.TINGSU, "AUDIT_ANCHOR_MINUTES": 60}
    assert audit_anchor_claim_due() is False  # nothing to anchor yet
    record_entries(world.alice, world.service, 2)
    assert audit_anchor_claim_due() is True
    assert audit_anchor_claim_due() is False  # anchored a moment ago
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert audit_anchor_claim_due() is False  # the head has not moved
        record_entries(world.alice, world.service, 1)
        assert audit_anchor_claim_due() is True
    assert list(AuditAnchor.objects.values_list("seq", flat=True)) == [2, 3]


def test_the_scheduler_runs_the_anchor_job(world):
    record_entries(world.alice, world.service, 1)
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert AuditAnchor.objects.count() == 1
