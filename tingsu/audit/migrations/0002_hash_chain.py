import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
            ],
            options={"verbose_name": "audit chain head"},
        ),
        migrations.CreateModel(
            name="AuditAnchor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="time"),
                ),
                ("seq", models.PositiveBigIntegerField(verbose_name="sequence")),
                ("hash", models.CharField(max_length=64, verbose_name="hash")),
            ],
            options={
                "verbose_name": "audit anchor",
                "verbose_name_plural": "audit anchors",
                "ordering": ["seq", "id"],
            },
        ),
        migrations.AlterModelOptions(
            name="auditentry",
            options={
                "ordering": ["seq"],
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit entries",
            },
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="created_at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, verbose_name="time"
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="changes",
            field=models.JSONField(blank=True, default=dict, verbose_name="changes"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="object_id",
            field=models.CharField(db_index=True, max_length=64, verbose_name="object ID"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="object_type",
            field=models.CharField(max_length=64, verbose_name="object type"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(null=True, verbose_name="sequence"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="ip",
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name="IP address"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="user_agent",
            field=models.CharField(blank=True, max_length=256, verbose_name="user agent"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
    ]
