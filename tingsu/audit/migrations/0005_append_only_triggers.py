"""The database itself refuses UPDATE, DELETE and TRUNCATE on audit entries and anchors.

Emptying the tables is allowed only under a maintenance guard that `tingsu flush` (and
so the test harness) sets: on PostgreSQL the session setting tingsu.audit_maintenance =
'on', on SQLite a row in the audit_maintenance table. A database superuser can always
drop these triggers; the hash chain and off-host anchors are what catch that.
"""

from django.db import migrations

TABLES = ("audit_auditentry", "audit_auditanchor")

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION tingsu_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE')
       AND current_setting('tingsu.audit_maintenance', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit records are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION tingsu_audit_refuse_change()"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION tingsu_audit_refuse_change()"
            )
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE TABLE IF NOT EXISTS audit_maintenance (id INTEGER PRIMARY KEY CHECK (id = 1))"
        )
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'audit records are append-only: UPDATE on {table} "
                "refused'); END"
            )
            # Table names are the constants above, not input.
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "  # noqa: S608
                "WHEN NOT EXISTS (SELECT 1 FROM audit_maintenance) "
                f"BEGIN SELECT RAISE(ABORT, 'audit records are append-only: DELETE on {table} "
                "refused'); END"
            )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS tingsu_audit_refuse_change()")
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        schema_editor.execute("DROP TABLE IF EXISTS audit_maintenance")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_seq_unique"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
