"""Case.sla_due_at, the nearest running SLA deadline, kept by triggers on sla_slatimer
(tingsu.cases.sla_due) and back-filled here; indexes for the queue sorted by it."""

import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models


def forward(apps, schema_editor):
    from tingsu.cases.sla_due import create_sla_due_triggers, refresh_sla_due

    create_sla_due_triggers(schema_editor)
    refresh_sla_due(schema_editor)


def backward(apps, schema_editor):
    from tingsu.cases.sla_due import drop_sla_due_triggers

    drop_sla_due_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_data_scope"),
        ("cases", "0003_queue_indexes"),
        ("customers", "0003_encrypt_contact_data"),
        ("sla", "0003_case_policy_extension_requests"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="sla_due_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="SLA due"
            ),
        ),
        migrations.RunPython(forward, backward, elidable=False),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                models.F("department"),
                django.db.models.lookups.IsNull(models.F("sla_due_at"), True),
                models.F("sla_due_at"),
                models.OrderBy(models.F("id"), descending=True),
                name="case_queue_dept_due",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                django.db.models.lookups.IsNull(models.F("sla_due_at"), True),
                models.F("sla_due_at"),
                models.OrderBy(models.F("id"), descending=True),
                name="case_queue_due",
            ),
        ),
    ]
