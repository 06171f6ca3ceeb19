"""The database itself refuses to change or remove audit entries, whoever asks."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from tingsu.audit.anchors import audit_anchor_write
from tingsu.audit.models import AuditAnchor, AuditEntry
from tingsu.audit.testing import record_entries

pytestmark = pytest.mark.django_db


def raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_raw_sql_update_is_refused(world):
    (entry,) = record_entries(world.alice, world.service, 1)
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE audit_auditentry SET action = 'case.nothing' WHERE id = %s", (entry.pk,))
    assert AuditEntry.objects.get(pk=entry.pk).action == "case.view"


def test_a_raw_sql_delete_is_refused(world):
    (entry,) = record_entries(world.alice, world.service, 1)
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM audit_auditentry WHERE id = %s", (entry.pk,))
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_anchors_cannot_be_changed_or_removed_either(world):
    record_entries(world.alice, world.service, 1)
    anchor = audit_anchor_write()
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE audit_auditanchor SET hash = 'x' WHERE id = %s", (anchor.pk,))
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM audit_auditanchor")
    assert AuditAnchor.objects.get(pk=anchor.pk).hash == anchor.hash


@pytest.mark.postgres
def test_truncate_is_refused_on_postgresql(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: TRUNCATE trigger")
    record_entries(world.alice, world.service, 1)
    raw("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no deferred FK checks
    with pytest.raises(DatabaseError, match="append-only"):
        raw("TRUNCATE audit_auditentry CASCADE")
    assert AuditEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_flush_may_empty_the_tables_and_closes_the_gate_again():
    from tingsu.core.testing import make_world

    world = make_world()
    record_entries(world.alice, world.service, 2)
    audit_anchor_write()
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 0 and AuditAnchor.objects.count() == 0

    world = make_world()
    record_entries(world.alice, world.service, 1)
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.count() == 1
