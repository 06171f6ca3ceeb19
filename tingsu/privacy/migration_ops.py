"""Helpers for migrations that move a column to encryption at rest."""

from collections.abc import Callable


def encrypt_existing(app_label: str, model_name: str, field: str) -> Callable:
    """A RunPython function that encrypts the column's values written before it was an
    EncryptedTextField: reading passes legacy plaintext through, and update() encrypts."""

    def run(apps, schema_editor) -> None:
        model = apps.get_model(app_label, model_name)
        for pk, value in model.objects.values_list("pk", field).iterator():
            if value:
                model.objects.filter(pk=pk).update(**{field: value})

    return run
