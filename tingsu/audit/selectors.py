from datetime import datetime

from django.db.models import QuerySet

from tingsu.audit.models import AuditEntry


def audit_entry_list(
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEntry]:
    """Entries matching the compliance officer's filters, newest first.

    The actor is matched on the label stored with the entry (the username at the time),
    so entries of a since renamed or system actor are found too. An action ending in "."
    matches every action under it (e.g. "case." for all case actions).
    """
    entries = AuditEntry.objects.all()
    if actor:
        entries = entries.filter(actor_label__iexact=actor)
    if action:
        entries = (
            entries.filter(action__startswith=action)
            if action.endswith(".")
            else entries.filter(action=action)
        )
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if since:
        entries = entries.filter(created_at__gte=since)
    if until:
        entries = entries.filter(created_at__lte=until)
    return entries.order_by("-seq")
