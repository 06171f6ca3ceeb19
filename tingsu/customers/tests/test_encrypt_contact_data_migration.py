"""The data migration encrypts rows written in clear and fills their blind indexes."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from tingsu.core.testing import make_customer
from tingsu.customers.models import Customer
from tingsu.customers.selectors import customer_find_by_email, customer_find_by_phone

pytestmark = pytest.mark.django_db

migration = importlib.import_module("tingsu.customers.migrations.0003_encrypt_contact_data")


def test_it_encrypts_plaintext_rows_and_indexes_them():
    customer = make_customer(phone="", email="")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE customers_customer SET phone = %s, email = %s WHERE id = %s",
            ["138 1234 1234", "W@Example.com", customer.pk],
        )
    assert customer_find_by_phone(phone="13812341234") is None

    migration.encrypt_existing(apps, None)

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, email FROM customers_customer WHERE id = %s", [customer.pk])
        phone, email = cursor.fetchone()
    assert phone.startswith("pii1:") and email.startswith("pii1:")
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.phone, fresh.email) == ("+8613812341234", "W@Example.com")
    assert customer_find_by_phone(phone="13812341234") == customer
    assert customer_find_by_email(email="w@example.com") == customer
