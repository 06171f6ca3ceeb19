"""The call-back number, stored as reported until now, is encrypted at rest (privacy.crypto);
its index goes, since ciphertext cannot be looked up."""

from django.db import migrations

import tingsu.privacy.fields
from tingsu.privacy.migration_ops import encrypt_existing


class Migration(migrations.Migration):
    dependencies = [
        ("channels_phone", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="callbacktask",
            name="caller",
            field=tingsu.privacy.fields.EncryptedTextField(
                context="callback.caller", max_length=32, verbose_name="caller"
            ),
        ),
        migrations.RunPython(
            encrypt_existing("channels_phone", "CallbackTask", "caller"), migrations.RunPython.noop
        ),
    ]
