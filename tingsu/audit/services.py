from typing import Any

from django.db import transaction
from django.utils import timezone

from tingsu.audit.chain import GENESIS_HASH, entry_hash, normalise_changes
from tingsu.audit.context import clean_ip, request_context
from tingsu.audit.models import AuditChainHead, AuditEntry

USER_AGENT_MAX = AuditEntry._meta.get_field("user_agent").max_length
HEAD_PK = 1


def _lock_head() -> AuditChainHead:
    """The chain head, locked until the caller's transaction ends (created if missing)."""
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_PK).first()
    if head is None:
        # A fresh or flushed database: create it without racing a concurrent creator.
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(pk=HEAD_PK, seq=0, hash=GENESIS_HASH)], ignore_conflicts=True
        )
        head = AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)
    return head


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: Any = None,
    changes: dict[str, Any] | None = None,
    actor_label: str = "",
    object_type: str = "",
    object_id: str = "",
    ip: str | None = None,
    user_agent: str | None = None,
) -> AuditEntry:
    """Append an audit entry to the hash chain. Must run inside the caller's transaction.

    IP and user agent default to the current request's (see AuditContextMiddleware).
    Without `obj`, pass `object_type` and `object_id` (e.g. for an export of many rows).
    """
    conn = transaction.get_connection()
    assert conn.in_atomic_block, "audit_record must run inside the change's transaction"
    user = actor if getattr(actor, "is_authenticated", False) else None
    context = request_context.get()
    if obj is not None:
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
    entry = AuditEntry(
        created_at=timezone.now(),
        actor=user,
        actor_label=(actor_label or (user.get_username() if user else "system"))[:200],
        action=action,
        object_type=object_type[:64],
        object_id=str(object_id)[:64],
        changes=normalise_changes(changes),
        ip=clean_ip(ip) if ip is not None else context.ip,
        user_agent=(user_agent if user_agent is not None else context.user_agent)[:USER_AGENT_MAX],
    )
    head = _lock_head()
    entry.seq = head.seq + 1
    entry.prev_hash = head.hash
    entry.hash = entry_hash(
        seq=entry.seq,
        created_at=entry.created_at,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        changes=entry.changes,
        ip=entry.ip,
        user_agent=entry.user_agent,
        prev_hash=entry.prev_hash,
    )
    entry.save(force_insert=True)
    AuditChainHead.objects.filter(pk=HEAD_PK).update(seq=entry.seq, hash=entry.hash)
    return entry
