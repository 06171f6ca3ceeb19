"""`tingsu audit verify` names the first altered, removed or inserted entry."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from tingsu.audit.anchors import audit_anchor_write
from tingsu.audit.chain import entry_hash
from tingsu.audit.models import AuditChainHead, AuditEntry
from tingsu.audit.testing import record_entries, tamper
from tingsu.audit.verify import Problem, audit_chain_verify

pytestmark = pytest.mark.django_db


def verify():
    out, err = io.StringIO(), io.StringIO()
    try:
        with translation.override("en"):
            call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


@pytest.fixture
def chain(world):
    return record_entries(world.alice, world.service, 5)


def rehash(row: dict) -> str:
    return entry_hash(**{k: row[k] for k in row if k not in ("id", "hash")})


def test_an_intact_chain_passes(chain):
    code, output = verify()
    assert code == 0
    assert "OK: 5 entries" in output


def test_it_walks_the_chain_in_batches(chain):
    result = audit_chain_verify(batch=2)
    assert result.ok and result.checked == 5


def test_it_names_an_entry_edited_in_the_database(chain):
    tamper("UPDATE audit_auditentry SET changes = %s WHERE seq = 3", (json.dumps({"i": "forged"}),))
    code, output = verify()
    assert code == 1
    assert "Entry #3" in output and "altered" in output
    assert audit_chain_verify().problem == Problem.ALTERED


def test_it_names_an_entry_whose_actor_was_swapped(chain, world):
    tamper("UPDATE audit_auditentry SET actor_label = 'bob' WHERE seq = 2")
    code, output = verify()
    assert code == 1 and "Entry #2" in output


def test_it_names_the_gap_left_by_a_deleted_entry(chain):
    tamper("DELETE FROM audit_auditentry WHERE seq = 3")
    code, output = verify()
    assert code == 1
    assert "Entries #3 to #3 were removed" in output
    assert audit_chain_verify().problem == Problem.REMOVED


def test_it_notices_entries_cut_from_the_end(chain):
    tamper("DELETE FROM audit_auditentry WHERE seq >= 4")
    code, output = verify()
    assert code == 1
    assert "#4 to #5 were removed from the end" in output


def test_it_catches_a_forged_entry_with_a_made_up_hash(chain, world):
    last = chain[-1]
    tamper(
        "INSERT INTO audit_auditentry (seq, created_at, actor_label, action, object_type,"
        " object_id, changes, user_agent, prev_hash, hash) VALUES"
        " (6, %s, 'alice', 'case.close', 'cases.case', '1', '{}', '', %s, %s)",
        (last.created_at, last.hash, "f" * 64),
    )
    code, output = verify()
    assert code == 1 and "Entry #6" in output and "forged" in output


def test_it_catches_a_correctly_hashed_entry_inserted_beyond_the_head(chain, world):
    last = chain[-1]
    row = {
        "seq": 6,
        "created_at": last.created_at,
        "actor_id": None,
        "actor_label": "alice",
        "action": "case.close",
        "object_type": "cases.case",
        "object_id": "1",
        "changes": {},
        "ip": None,
        "user_agent": "",
        "prev_hash": last.hash,
    }
    tamper(
        "INSERT INTO audit_auditentry (seq, created_at, actor_label, action, object_type,"
        " object_id, changes, user_agent, prev_hash, hash) VALUES"
        " (6, %s, 'alice', 'case.close', 'cases.case', '1', '{}', '', %s, %s)",
        (last.created_at, last.hash, rehash(row)),
    )
    code, output = verify()
    assert code == 1
    assert "Entry #6 was inserted beyond the chain head (#5)" in output
    assert audit_chain_verify().problem == Problem.INSERTED


def test_it_catches_an_entry_replaced_with_a_recomputed_hash(chain):
    row = AuditEntry.objects.filter(seq=3).values().get()
    row["action"] = "case.nothing"
    row["changes"] = {"i": 2}
    forged = rehash({k: row[k] for k in row if k != "id"})
    tamper(
        "UPDATE audit_auditentry SET action = 'case.nothing', hash = %s WHERE seq = 3", (forged,)
    )
    code, output = verify()
    assert code == 1
    assert "Entry #4 does not follow entry #3" in output


def test_an_anchor_catches_a_chain_rewritten_with_all_hashes_recomputed(chain):
    audit_anchor_write()  # anchors #5
    record_entries(chain[0].actor, chain[0].actor.department, 1)
    # The intruder rewrites #2 and every hash after it, and moves the head along.
    rows = list(AuditEntry.objects.order_by("seq").values())
    prev = rows[0]["hash"]
    for row in rows[1:]:
        if row["seq"] == 2:
            row["action"] = "case.nothing"
        row["prev_hash"] = prev
        row["hash"] = rehash({k: row[k] for k in row if k != "id"})
        tamper(
            "UPDATE audit_auditentry SET action = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            (row["action"], row["prev_hash"], row["hash"], row["seq"]),
        )
        prev = row["hash"]
    with transaction.atomic():
        AuditChainHead.objects.filter(pk=1).update(hash=prev)
    code, output = verify()
    assert code == 1
    assert "Entry #5 differs from the anchor" in output


def test_an_anchor_beyond_the_last_entry_reveals_a_cut_tail(chain):
    audit_anchor_write()
    tamper("DELETE FROM audit_auditentry WHERE seq = 5")
    with transaction.atomic():
        AuditChainHead.objects.filter(pk=1).update(seq=4, hash=chain[3].hash)
    code, output = verify()
    assert code == 1
    assert "Entries after #4 were removed" in output


def test_it_warns_when_the_append_only_triggers_are_gone(chain):
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no ALTER with pending FK checks
            cursor.execute(
                "ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_append_only"
            )
        else:
            cursor.execute("DROP TRIGGER audit_auditentry_no_update")
    code, output = verify()
    assert code == 0
    assert "WARNING: append-only triggers missing or disabled: audit_auditentry_" in output


def test_it_does_not_warn_while_the_triggers_are_in_place(chain):
    assert "WARNING" not in verify()[1]
