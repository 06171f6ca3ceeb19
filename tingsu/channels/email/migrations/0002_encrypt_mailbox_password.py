"""The IMAP password, stored as entered until now, is encrypted at rest (privacy.crypto)."""

from django.db import migrations

import tingsu.privacy.fields
from tingsu.privacy.migration_ops import encrypt_existing


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
        migrations.RunPython(
            encrypt_existing("channels_email", "Mailbox", "password"), migrations.RunPython.noop
        ),
    ]
