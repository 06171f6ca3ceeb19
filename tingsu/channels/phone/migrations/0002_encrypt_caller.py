"""The call-back number, stored as reported until now, is encrypted at rest (privacy.crypto);
its index goes, since ciphertext cannot be looked up."""

from django.db import migrations

import tingsu.privacy.fields


def encrypt_existing(apps, schema_editor):
    CallbackTask = apps.get_model("channels_phone", "CallbackTask")
    # Reading passes legacy plaintext through; update() encrypts on write.
    for pk, caller in CallbackTask.objects.values_list("pk", "caller").iterator():
        if caller:
            CallbackTask.objects.filter(pk=pk).update(caller=caller)


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
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
    ]
