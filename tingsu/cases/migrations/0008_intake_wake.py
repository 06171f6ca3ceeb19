from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("cases", "IntakeWake").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_intake_pending")]

    operations = [
        migrations.CreateModel(
            name="IntakeWake",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("queued_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
