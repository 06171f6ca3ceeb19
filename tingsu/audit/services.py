from typing import Any

from django.db import transaction

from tingsu.audit.models import AuditEntry


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: Any,
    changes: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Append an audit entry. Must run inside the caller's transaction."""
    conn = transaction.get_connection()
    assert conn.in_atomic_block, "audit_record must run inside the change's transaction"
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = actor_label or (user.get_username() if user else "system")
    return AuditEntry.objects.create(
        actor=user,
        actor_label=label,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        changes=changes or {},
    )
