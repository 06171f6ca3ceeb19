"""The data migration rewrites stored phone numbers to the canonical form."""

import importlib

import pytest
from django.apps import apps

from tingsu.customers.models import Customer

pytestmark = pytest.mark.django_db

migration = importlib.import_module("tingsu.customers.migrations.0002_canonical_phones")


def test_it_rewrites_old_numbers_and_keeps_what_it_cannot_parse():
    mobile = Customer.objects.create(name="a", phone="13812345678")
    landline = Customer.objects.create(name="b", phone="01065521234")
    done = Customer.objects.create(name="c", phone="+8613900001111")
    odd = Customer.objects.create(name="d", phone="12315")
    none = Customer.objects.create(name="e", phone="")

    migration.forwards(apps, None)

    phones = dict(Customer.objects.values_list("pk", "phone"))
    assert phones[mobile.pk] == "+8613812345678"
    assert phones[landline.pk] == "+861065521234"
    assert phones[done.pk] == "+8613900001111"
    assert phones[odd.pk] == "12315"
    assert phones[none.pk] == ""
