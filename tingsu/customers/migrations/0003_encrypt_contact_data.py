"""Encrypt phone and email at rest, add ID number and bank card (encrypted), the blind
indexes that keep exact lookup by phone and email, legal hold and anonymisation marks."""

import tingsu.privacy.fields
from django.db import migrations, models


def encrypt_existing(apps, schema_editor):
    from tingsu.customers.phones import phone_normalise
    from tingsu.privacy.identity import blind_index_email, blind_index_phone

    Customer = apps.get_model("customers", "Customer")
    # Reading decrypts (legacy plaintext passes through); update() encrypts on write.
    rows = Customer.objects.values_list("pk", "phone", "email").iterator(chunk_size=1000)
    for pk, phone, email in rows:
        if not phone and not email:
            continue
        Customer.objects.filter(pk=pk).update(
            phone=phone_normalise(phone) if phone else "",
            email=email or "",
            phone_index=blind_index_phone(phone),
            email_index=blind_index_email(email),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_canonical_phones"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="anonymised_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="anonymised at"),
        ),
        migrations.AddField(
            model_name="customer",
            name="bank_card",
            field=tingsu.privacy.fields.EncryptedTextField(
                blank=True, context="customer.bank_card", verbose_name="bank card"
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="email_index",
            field=tingsu.privacy.fields.BlindIndexField(kind="email", source="email"),
        ),
        migrations.AddField(
            model_name="customer",
            name="id_number",
            field=tingsu.privacy.fields.EncryptedTextField(
                blank=True, context="customer.id_number", verbose_name="ID number"
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="legal_hold",
            field=models.BooleanField(
                default=False,
                help_text="Retention and erasure leave this customer and their cases untouched.",
                verbose_name="legal hold",
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="phone_index",
            field=tingsu.privacy.fields.BlindIndexField(kind="phone", source="phone"),
        ),
        migrations.AlterField(
            model_name="customer",
            name="email",
            field=tingsu.privacy.fields.EncryptedTextField(
                blank=True, context="customer.email", verbose_name="email"
            ),
        ),
        migrations.AlterField(
            model_name="customer",
            name="phone",
            field=tingsu.privacy.fields.EncryptedTextField(
                blank=True, context="customer.phone", verbose_name="phone"
            ),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
    ]
