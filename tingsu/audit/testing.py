"""Test helpers: write entries, and tamper with the table as an intruder with DB access would."""

from django.db import connection, transaction

from tingsu.audit.services import audit_record

TABLE = "audit_auditentry"


def record_entries(actor, obj, n: int, action: str = "case.view") -> list:
    entries = []
    for i in range(n):
        with transaction.atomic():
            entries.append(audit_record(actor=actor, action=action, obj=obj, changes={"i": i}))
    return entries


def tamper(sql: str, params: tuple = ()) -> None:
    """Run raw SQL against the audit table with its triggers switched off, then back on.

    This is what a database owner can always do; the hash chain is what catches it.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            try:
                cursor.execute(sql, params)
            finally:
                cursor.execute("SET session_replication_role = origin")
            return
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            (TABLE,),
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        cursor.execute(sql, params)
        for _name, create in triggers:
            cursor.execute(create)
