"""The IMAP password, stored as entered until now, is encrypted at rest (privacy.crypto)."""

from django.db import migrations

import tingsu.privacy.fields


def encrypt_existing(apps, schema_editor):
    Mailbox = apps.get_model("channels_email", "Mailbox")
    # Reading passes legacy plaintext through; update() encrypts on write.
    for pk, password in Mailbox.objects.values_list("pk", "password"):
        if password:
            Mailbox.objects.filter(pk=pk).update(password=password)


class Migration(migrations.Migration):
    dependencies = [
        ("channels_email", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="mailbox",
            name="password",
            field=tingsu.privacy.fields.EncryptedTextField(
                context="mailbox.password", max_length=255, verbose_name="password"
            ),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
    ]
