"""Rewrite stored phone numbers to the canonical E.164 form (customers.phones)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from tingsu.customers.phones import phone_normalise

    Customer = apps.get_model("customers", "Customer")
    rows = Customer.objects.exclude(phone="").values_list("pk", "phone").iterator(chunk_size=2000)
    for pk, phone in rows:
        canonical = phone_normalise(phone)
        if canonical != phone:
            Customer.objects.filter(pk=pk).update(phone=canonical)


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
