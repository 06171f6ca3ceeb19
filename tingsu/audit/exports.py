"""Audit entries as rows and dicts, for the regulator export and `tingsu audit export`."""

from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from tingsu.audit.chain import canonical_json, canonical_time
from tingsu.audit.models import AuditEntry


def entry_as_dict(entry: AuditEntry) -> dict:
    return {
        "seq": entry.seq,
        "created_at": canonical_time(entry.created_at),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "changes": entry.changes,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def export_header() -> list[str]:
    return [
        _("Sequence"),
        _("Time (UTC)"),
        _("Actor"),
        _("Action"),
        _("Object type"),
        _("Object ID"),
        _("Changes"),
        _("IP address"),
        _("User agent"),
        _("Previous hash"),
        _("Hash"),
    ]


def export_rows(entries: Iterable[AuditEntry]) -> Iterator[list]:
    for entry in entries:
        yield [
            entry.seq,
            canonical_time(entry.created_at),
            entry.actor_label,
            entry.action,
            entry.object_type,
            entry.object_id,
            canonical_json(entry.changes),
            entry.ip or "",
            entry.user_agent,
            entry.prev_hash,
            entry.hash,
        ]
