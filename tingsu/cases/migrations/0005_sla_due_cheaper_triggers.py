"""The sla_due triggers again, cheaper: a new timer sets the case's deadline without a
lookup and only when nearer; other changes write the case row only when the value changes.
Same values as before, so no back-fill."""

from django.db import migrations


def replace(apps, schema_editor):
    from tingsu.cases.sla_due import create_sla_due_triggers, drop_sla_due_triggers

    drop_sla_due_triggers(schema_editor)
    create_sla_due_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_sla_due_at")]

    operations = [migrations.RunPython(replace, replace, elidable=False)]
