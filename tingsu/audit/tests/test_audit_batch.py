"""Entries recorded inside audit_batch() are chained together when it ends (just before
the service's transaction commits), and only those whose changes survived."""

import pytest
from django.db import transaction

from tingsu.audit.models import AuditChainHead, AuditEntry
from tingsu.audit.services import audit_batch, audit_record
from tingsu.audit.verify import audit_chain_verify

pytestmark = pytest.mark.django_db


def record(world, why):
    return audit_record(
        actor=world.alice, action="case.view", obj=world.service, changes={"w": why}
    )


def whys():
    return [e.changes["w"] for e in AuditEntry.objects.order_by("seq")]


def test_a_batch_chains_its_entries_in_order_when_it_ends(world):
    with transaction.atomic():
        record(world, "before")
        with audit_batch():
            first, second = record(world, "one"), record(world, "two")
            assert first.seq is None and not AuditEntry.objects.filter(changes__w="one").exists()
        assert (first.seq, second.seq) == (2, 3) and second.prev_hash == first.hash
    assert whys() == ["before", "one", "two"]
    assert AuditChainHead.objects.get().seq == 3
    assert audit_chain_verify().ok


def test_entries_of_a_rolled_back_savepoint_are_dropped(world):
    with transaction.atomic(), audit_batch():
        record(world, "kept")
        try:
            with transaction.atomic():
                record(world, "undone")
                raise RuntimeError
        except RuntimeError:
            pass
        with transaction.atomic():
            record(world, "released")
    assert whys() == ["kept", "released"]
    assert audit_chain_verify().ok


def test_a_batch_that_raises_writes_nothing(world):
    with pytest.raises(RuntimeError), transaction.atomic(), audit_batch():
        record(world, "lost")
        raise RuntimeError
    assert whys() == []


def test_nested_batches_join_the_outer_one(world):
    with transaction.atomic(), audit_batch():
        with audit_batch():
            inner = record(world, "inner")
        assert inner.seq is None
        record(world, "outer")
    assert whys() == ["inner", "outer"] and audit_chain_verify().ok


def test_a_batch_leaves_no_on_commit_callbacks_behind(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic(), audit_batch():
        record(world, "x")
    assert callbacks == []
