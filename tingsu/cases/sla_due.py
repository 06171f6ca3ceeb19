# ruff: noqa: S608  (identifiers only, from this module's constants)
"""Case.sla_due_at: the case's nearest running SLA deadline, kept by database triggers.

The value is the earliest `due_at` of the case's SLA timers that are neither stopped nor
paused (NULL when there is none), the same as the queue's old per-row subquery. Timers are
changed from many places (SLA services, extensions, policy changes, seeding, bulk updates),
so triggers on sla_slatimer recompute it for the affected case rather than each caller.

The seeder drops the triggers during a bulk load and calls `refresh_sla_due` afterwards.
"""

TIMER_TABLE = "sla_slatimer"
CASE_TABLE = "cases_case"

# The nearest running deadline of the case `{case}` (an SQL expression for its id).
_DUE = (
    f"(SELECT MIN(t.due_at) FROM {TIMER_TABLE} t "
    "WHERE t.case_id = {case} AND t.stopped_at IS NULL AND t.paused_at IS NULL)"
)
# The columns that change the value; other updates (warned_levels, next_check_at, ...)
# leave it alone.
_COLUMNS = ("case_id", "due_at", "paused_at", "stopped_at")

_SQLITE_TRIGGERS = {
    # A new running timer can only bring the deadline nearer: no lookup, and no write of the
    # case row unless it does (intake starts two timers; the second is the later one).
    "sla_due_timer_insert": (
        f"AFTER INSERT ON {TIMER_TABLE} "
        "WHEN new.stopped_at IS NULL AND new.paused_at IS NULL BEGIN "
        f"UPDATE {CASE_TABLE} SET sla_due_at = new.due_at WHERE id = new.case_id "
        "AND (sla_due_at IS NULL OR sla_due_at > new.due_at); END"
    ),
    "sla_due_timer_update": (
        f"AFTER UPDATE OF {', '.join(_COLUMNS)} ON {TIMER_TABLE} "
        "WHEN " + " OR ".join(f"old.{c} IS NOT new.{c}" for c in _COLUMNS) + " BEGIN "
        f"UPDATE {CASE_TABLE} SET sla_due_at = {_DUE.format(case='new.case_id')} "
        f"WHERE id = new.case_id AND sla_due_at IS NOT {_DUE.format(case='new.case_id')}; "
        f"UPDATE {CASE_TABLE} SET sla_due_at = {_DUE.format(case='old.case_id')} "
        "WHERE id = old.case_id AND old.case_id IS NOT new.case_id "
        f"AND sla_due_at IS NOT {_DUE.format(case='old.case_id')}; END"
    ),
    "sla_due_timer_delete": (
        f"AFTER DELETE ON {TIMER_TABLE} BEGIN "
        f"UPDATE {CASE_TABLE} SET sla_due_at = {_DUE.format(case='old.case_id')} "
        f"WHERE id = old.case_id AND sla_due_at IS NOT {_DUE.format(case='old.case_id')}; END"
    ),
}

_PG_FUNCTION = "cases_sla_due_refresh"
_PG_TRIGGERS = {
    "sla_due_timer_insert": "AFTER INSERT",
    "sla_due_timer_update": f"AFTER UPDATE OF {', '.join(_COLUMNS)}",
    "sla_due_timer_delete": "AFTER DELETE",
}
_PG_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {_PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    due timestamptz;
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- A new running timer can only bring the deadline nearer.
        IF NEW.stopped_at IS NULL AND NEW.paused_at IS NULL THEN
            UPDATE {CASE_TABLE} SET sla_due_at = NEW.due_at WHERE id = NEW.case_id
            AND (sla_due_at IS NULL OR sla_due_at > NEW.due_at);
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        due := {_DUE.format(case="NEW.case_id")};
        UPDATE {CASE_TABLE} SET sla_due_at = due
        WHERE id = NEW.case_id AND sla_due_at IS DISTINCT FROM due;
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.case_id IS DISTINCT FROM NEW.case_id) THEN
        due := {_DUE.format(case="OLD.case_id")};
        UPDATE {CASE_TABLE} SET sla_due_at = due
        WHERE id = OLD.case_id AND sla_due_at IS DISTINCT FROM due;
    END IF;
    RETURN NULL;
END
$$
"""


def _execute(target):
    """A schema editor's or a cursor's execute."""
    return target.execute


def _vendor(target) -> str:
    conn = getattr(target, "connection", None)
    if conn is None or not hasattr(conn, "vendor"):
        # A Django cursor wrapper: .db is the connection.
        conn = target.db
    return conn.vendor


def create_sla_due_triggers(target) -> None:
    """Install the triggers (idempotent). `target`: a schema editor or a cursor."""
    execute, vendor = _execute(target), _vendor(target)
    if vendor == "sqlite":
        for name, body in _SQLITE_TRIGGERS.items():
            execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    elif vendor == "postgresql":
        execute(_PG_FUNCTION_SQL)
        for name, when in _PG_TRIGGERS.items():
            execute(f"DROP TRIGGER IF EXISTS {name} ON {TIMER_TABLE}")
            execute(
                f"CREATE TRIGGER {name} {when} ON {TIMER_TABLE} "
                f"FOR EACH ROW EXECUTE FUNCTION {_PG_FUNCTION}()"
            )


def drop_sla_due_triggers(target) -> None:
    execute, vendor = _execute(target), _vendor(target)
    if vendor == "sqlite":
        for name in _SQLITE_TRIGGERS:
            execute(f"DROP TRIGGER IF EXISTS {name}")
    elif vendor == "postgresql":
        for name in _PG_TRIGGERS:
            execute(f"DROP TRIGGER IF EXISTS {name} ON {TIMER_TABLE}")
        execute(f"DROP FUNCTION IF EXISTS {_PG_FUNCTION}()")


# Each case's nearest running deadline, for every case that has a running timer.
_RUNNING = (
    f"SELECT case_id, MIN(due_at) AS due FROM {TIMER_TABLE} "
    "WHERE stopped_at IS NULL AND paused_at IS NULL{since} GROUP BY case_id"
)


def refresh_sla_due(target, *, since_id: int | None = None) -> None:
    """Recompute sla_due_at set-based: one grouped pass over the timers and an UPDATE of the
    rows that differ (no per-case lookups, so it does not need the timer indexes a bulk
    load may have dropped). `since_id`: only cases with a larger id (a seeder's new ones)."""
    execute = _execute(target)
    params = [since_id] if since_id is not None else []
    since = " AND case_id > %s" if since_id is not None else ""
    case_since = f" AND {CASE_TABLE}.id > %s" if since_id is not None else ""
    running = _RUNNING.format(since=since)
    # Cases without a running timer any more.
    execute(
        f"UPDATE {CASE_TABLE} SET sla_due_at = NULL WHERE sla_due_at IS NOT NULL{case_since} "
        f"AND NOT EXISTS (SELECT 1 FROM {TIMER_TABLE} t WHERE t.case_id = {CASE_TABLE}.id "
        "AND t.stopped_at IS NULL AND t.paused_at IS NULL)",
        params,
    )
    distinct = "IS DISTINCT FROM" if _vendor(target) == "postgresql" else "IS NOT"
    execute(
        f"UPDATE {CASE_TABLE} SET sla_due_at = d.due FROM ({running}) d "
        f"WHERE {CASE_TABLE}.id = d.case_id AND {CASE_TABLE}.sla_due_at {distinct} d.due",
        params,
    )


def sla_due_triggers_missing(using: str) -> bool:
    """Whether a SQLite table rebuild of sla_slatimer dropped the triggers (after the
    migration that adds them; False on PostgreSQL, where a rebuild does not happen)."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite":
        return False
    with conn.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {name for (name,) in cursor.fetchall()}
        cursor.execute(
            "SELECT 1 FROM django_migrations WHERE app = 'cases' AND name = '0004_sla_due_at'"
        )
        migrated = cursor.fetchone() is not None
    return migrated and not set(_SQLITE_TRIGGERS) <= present


def ensure_sla_due_triggers(using: str) -> bool:
    """Put back triggers a SQLite table rebuild of sla_slatimer dropped, and recompute the
    column (called after every migrate). Returns whether it repaired anything."""
    from django.db import connections, transaction

    if not sla_due_triggers_missing(using):
        return False
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        create_sla_due_triggers(cursor)
        refresh_sla_due(cursor)
    return True
