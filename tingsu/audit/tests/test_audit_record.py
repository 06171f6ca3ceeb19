"""The audit trail and the case timeline only ever grow."""

import pytest
from django.db import transaction

from tingsu.audit.models import AuditEntry
from tingsu.audit.services import audit_record
from tingsu.cases.models import CaseEvent
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db


def record(world, **kw):
    with transaction.atomic():
        return audit_record(
            actor=kw.pop("actor", world.alice),
            action="case.view",
            obj=world.service,
            changes={"why": "test"},
            **kw,
        )


def test_it_records_who_did_what_to_which_object(world):
    entry = record(world)
    assert entry.actor == world.alice and entry.actor_label == "alice"
    assert entry.object_type == "accounts.department"
    assert entry.object_id == str(world.service.pk)
    assert entry.changes == {"why": "test"} and entry.created_at is not None


def test_a_system_entry_has_no_user_but_a_label(world):
    entry = record(world, actor=None, actor_label="scheduler")
    assert entry.actor is None and entry.actor_label == "scheduler"
    assert record(world, actor=None).actor_label == "system"


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_write_outside_the_changes_transaction():
    from tingsu.core.testing import make_world

    world = make_world()
    with pytest.raises(AssertionError, match="inside the change's transaction"):
        audit_record(actor=world.alice, action="case.view", obj=world.service)
    assert AuditEntry.objects.count() == 0


def test_an_audit_entry_cannot_be_changed(world):
    entry = record(world)
    entry.action = "case.nothing"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "case.view"


def test_an_audit_entry_cannot_be_deleted(world):
    entry = record(world)
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_audit_entries_cannot_be_updated_or_deleted_in_bulk(world):
    entry = record(world)
    with pytest.raises(ValueError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).update(action="case.nothing")
    with pytest.raises(ValueError, match="append-only"):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "case.view"


def test_a_timeline_event_cannot_be_changed_or_deleted(world):
    case = make_case(department=world.service)
    event = CaseEvent.objects.get(case=case)
    event.body = "改写历史"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert CaseEvent.objects.get(pk=event.pk).body != "改写历史"
