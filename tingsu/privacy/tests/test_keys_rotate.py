import base64

import pytest
from django.core.management import call_command
from django.test import override_settings

from tingsu.core.testing import make_customer
from tingsu.customers.models import Customer
from tingsu.customers.selectors import customer_find_by_phone
from tingsu.privacy.rotation import keys_rotate, keys_status
from tingsu.privacy.tests.test_encryption_at_rest import KEY_A, KEY_B, raw_row

pytestmark = pytest.mark.django_db

INDEX_A = "ia:" + base64.b64encode(b"I" * 32).decode()
INDEX_B = "ib:" + base64.b64encode(b"J" * 32).decode()


def test_rotate_re_encrypts_every_row_under_the_current_key_and_is_idempotent(capsys):
    with override_settings(TINGSU_PII_KEYS=KEY_A, TINGSU_PII_INDEX_KEYS=INDEX_A):
        customers = [make_customer(id_number="11010519491231002X") for _ in range(5)]
        empty = make_customer(phone="", email="")
    with override_settings(TINGSU_PII_KEYS=f"{KEY_B},{KEY_A}", TINGSU_PII_INDEX_KEYS=INDEX_A):
        assert keys_status() == {"a": 15}
        call_command("keys", "rotate", "--batch-size", "2")
        out = capsys.readouterr().out
        assert "6 customers scanned, 5 re-encrypted" in out
        assert "scanned 2:" in out  # progress per batch
        assert keys_status() == {"b": 15}
        for customer in customers:
            assert raw_row(customer)["phone"].startswith("pii1:b:")
            fresh = Customer.objects.get(pk=customer.pk)
            assert fresh.phone == customer.phone and fresh.id_number == "11010519491231002X"
        assert raw_row(empty)["phone"] == ""
        again = keys_rotate()
        assert (again.scanned, again.rewritten, again.changed) == (6, 0, 0)
    # The old key can go now.
    with override_settings(TINGSU_PII_KEYS=KEY_B, TINGSU_PII_INDEX_KEYS=INDEX_A):
        assert Customer.objects.get(pk=customers[0].pk).phone == customers[0].phone


def test_rotate_re_computes_the_blind_index_when_the_index_key_changes():
    with override_settings(TINGSU_PII_KEYS=KEY_A, TINGSU_PII_INDEX_KEYS=INDEX_A):
        customer = make_customer(phone="13812341234")
    with override_settings(TINGSU_PII_KEYS=KEY_A, TINGSU_PII_INDEX_KEYS=f"{INDEX_B},{INDEX_A}"):
        # During the rotation both index keys match.
        assert customer_find_by_phone(phone="13812341234") == customer
        result = keys_rotate()
        assert (result.reencrypted, result.reindexed) == (0, 1)
        assert raw_row(customer)["phone_index"].startswith("ib:")
    with override_settings(TINGSU_PII_KEYS=KEY_A, TINGSU_PII_INDEX_KEYS=INDEX_B):
        assert customer_find_by_phone(phone="+86 138 1234 1234") == customer


def test_rotate_encrypts_legacy_plaintext_rows():
    from django.db import connection

    customer = make_customer(phone="")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE customers_customer SET phone = %s, phone_index = '' WHERE id = %s",
            ["+8613812341234", customer.pk],
        )
    assert keys_status().get("plaintext") == 1
    result = keys_rotate()
    assert result.reencrypted == 1 and "plaintext" not in keys_status()
    assert customer_find_by_phone(phone="13812341234") == customer


def test_rotate_reports_rows_it_cannot_decrypt_and_goes_on():
    with override_settings(TINGSU_PII_KEYS=KEY_A):
        lost = make_customer()
    kept = make_customer()
    result = keys_rotate()
    assert len(result.errors) == 1 and str(lost.pk) in result.errors[0]
    assert result.scanned == 2
    assert Customer.objects.get(pk=kept.pk).phone == kept.phone


def test_generate_prints_a_usable_key(capsys):
    call_command("keys", "generate", "2027-01")
    line = capsys.readouterr().out.strip()
    with override_settings(TINGSU_PII_KEYS=line):
        customer = make_customer(phone="13812341234")
        assert Customer.objects.get(pk=customer.pk).phone == "13812341234"
