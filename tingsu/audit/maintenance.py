"""The guard under which the database lets audit tables be emptied (flush only)."""

from collections.abc import Iterator
from contextlib import contextmanager


def _sqlite_guard_table_exists(cursor) -> bool:
    cursor.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_maintenance'"
    )
    return cursor.fetchone() is not None


@contextmanager
def audit_maintenance(connection) -> Iterator[None]:
    """Let DELETE/TRUNCATE through the audit triggers on this connection, then close the gate."""
    vendor = connection.vendor
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('tingsu.audit_maintenance', 'on', false)")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('tingsu.audit_maintenance', '', false)")
    elif vendor == "sqlite":
        with connection.cursor() as cursor:
            guarded = _sqlite_guard_table_exists(cursor)
            if guarded:
                cursor.execute("INSERT OR IGNORE INTO audit_maintenance (id) VALUES (1)")
        try:
            yield
        finally:
            if guarded:
                with connection.cursor() as cursor:
                    cursor.execute("DELETE FROM audit_maintenance")
    else:
        yield


EXPECTED_TRIGGERS = {
    "postgresql": {
        f"{t}_{s}"
        for t in ("audit_auditentry", "audit_auditanchor")
        for s in ("append_only", "no_truncate")
    },
    "sqlite": {
        f"{t}_{s}"
        for t in ("audit_auditentry", "audit_auditanchor")
        for s in ("no_update", "no_delete")
    },
}


def audit_triggers_missing(connection) -> list[str]:
    """The append-only triggers that are absent or disabled (empty when all are in place)."""
    expected = EXPECTED_TRIGGERS.get(connection.vendor)
    if not expected:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
                "AND tgrelid IN ('audit_auditentry'::regclass, 'audit_auditanchor'::regclass)"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
    return sorted(expected - present)
