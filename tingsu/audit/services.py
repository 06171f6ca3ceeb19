"""Appending to the audit hash chain.

An entry is chained (given its sequence number and the previous entry's hash) under a lock
on the chain head, which is held until the transaction ends. Outside `audit_batch()` that
happens as each entry is recorded; inside, the entries are collected and chained together
as the batch ends, just before the service's transaction commits, so concurrent
transactions wait on the head only for that moment instead of for their whole duration.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.utils import timezone

from tingsu.audit.chain import GENESIS_HASH, entry_hash, normalise_changes
from tingsu.audit.context import clean_ip, request_context
from tingsu.audit.models import AuditChainHead, AuditEntry
from tingsu.core.pending_writes import hold, pending_scope

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
    # Inside audit_batch(), chained when it ends; dropped if a savepoint around this is
    # rolled back (core.pending_writes).
    if hold(_batch, entry):
        return entry
    _chain([entry])
    return entry


def _chain(entries: list[AuditEntry]) -> None:
    """Give the entries their place after the chain head, write them, move the head."""
    head = _lock_head()
    seq, prev = head.seq, head.hash
    for entry in entries:
        seq += 1
        entry.seq, entry.prev_hash = seq, prev
        entry.hash = prev = entry_hash(
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
    if len(entries) == 1:
        entries[0].save(force_insert=True)
    else:
        AuditEntry.objects.bulk_create(entries)
    AuditChainHead.objects.filter(pk=HEAD_PK).update(seq=seq, hash=prev)


# Inside audit_batch(): the (entry, marker) pairs recorded so far.
_batch: ContextVar[list | None] = ContextVar("tingsu_audit_batch", default=None)


@contextmanager
def audit_batch() -> Iterator[None]:
    """Chain the entries recorded inside together as the block ends (three queries however
    many there are), locking the chain head only from then until the transaction ends.

    Use it inside the transaction, around a whole change (e.g. case_create). Entries from
    a savepoint that was rolled back are dropped with it; if the block raises, nothing is
    written. Inside the block, recorded entries have no sequence or hash yet. Nested
    blocks join the outer one.
    """
    with pending_scope(_batch, _chain):
        yield
