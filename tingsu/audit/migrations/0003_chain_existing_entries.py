from django.db import migrations

from tingsu.audit.chain import GENESIS_HASH, entry_hash


def chain_existing_entries(apps, schema_editor):
    """Give entries written before the chain existed a sequence and hashes, in id order."""
    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    seq, prev = 0, GENESIS_HASH
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        seq += 1
        digest = entry_hash(
            seq=seq,
            created_at=entry.created_at,
            actor_id=entry.actor_id,
            actor_label=entry.actor_label,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            changes=entry.changes,  # hashed as this database gives it back
            ip=None,
            user_agent="",
            prev_hash=prev,
        )
        AuditEntry.objects.filter(pk=entry.pk).update(seq=seq, prev_hash=prev, hash=digest)
        prev = digest
    AuditChainHead.objects.create(pk=1, seq=seq, hash=prev)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_hash_chain"),
    ]

    operations = [
        migrations.RunPython(chain_existing_entries, migrations.RunPython.noop),
    ]
