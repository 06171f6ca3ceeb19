import base64

import pytest
from django.core.exceptions import FieldError
from django.db import connection
from django.test import override_settings

from tingsu.core.testing import make_customer
from tingsu.customers.models import Customer
from tingsu.customers.selectors import (
    customer_find_by_email,
    customer_find_by_phone,
    customers_by_phone,
)
from tingsu.customers.services import customer_resolve
from tingsu.privacy import crypto
from tingsu.privacy.identity import blind_index_phone

pytestmark = pytest.mark.django_db

KEY_A = "a:" + base64.b64encode(b"A" * 32).decode()
KEY_B = "b:" + base64.b64encode(b"B" * 32).decode()


def raw_row(customer: Customer) -> dict[str, str]:
    columns = ["phone", "email", "id_number", "bank_card", "phone_index", "email_index"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM customers_customer WHERE id = %s",  # noqa: S608
            [customer.pk],
        )
        return dict(zip(columns, cursor.fetchone(), strict=True))


def test_it_stores_contact_data_encrypted_and_reads_it_back():
    customer = make_customer(
        phone="13812341234", email="Zhang@Example.com", id_number="11010519491231002X"
    )
    row = raw_row(customer)
    for column in ("phone", "email", "id_number"):
        assert row[column].startswith("pii1:")
    assert "1381234" not in str(row) and "Example" not in str(row)
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.phone, fresh.email, fresh.id_number) == (
        "13812341234",
        "Zhang@Example.com",
        "11010519491231002X",
    )
    assert fresh.bank_card == "" and row["bank_card"] == ""


def test_it_finds_customers_by_phone_in_any_format_and_email_in_any_case():
    customer = make_customer(phone="13812341234", email="Zhang@Example.com")
    make_customer(phone="13900000000", email="other@example.com")
    assert customer_find_by_phone(phone="+86 138 1234 1234") == customer
    assert customer_find_by_phone(phone="138-1234-1234") == customer
    assert customer_find_by_email(email=" zhang@example.COM ") == customer
    assert customer_find_by_phone(phone="13700000000") is None
    assert Customer.objects.filter(phone_index=blind_index_phone("13812341234")).get() == customer


def test_update_keeps_the_blind_index_in_step():
    customer = make_customer(phone="13812341234")
    Customer.objects.filter(pk=customer.pk).update(phone="13911112222")
    assert customer_find_by_phone(phone="13911112222") == customer
    assert customer_find_by_phone(phone="13812341234") is None


def test_customer_resolve_matches_an_existing_customer_by_phone():
    first = customer_resolve(name="王女士", phone="138 1234 1234")
    again = customer_resolve(name="王", phone="+8613812341234", email="w@example.com")
    assert again == first
    assert customer_find_by_email(email="W@example.com") == first


def test_it_refuses_lookups_that_would_compare_ciphertext():
    with pytest.raises(FieldError):
        list(Customer.objects.filter(phone="13812341234"))
    with pytest.raises(FieldError):
        list(Customer.objects.filter(email__icontains="example"))
    assert list(Customer.objects.filter(phone="")) == []


def test_ciphertext_moved_to_another_column_does_not_decrypt():
    customer = make_customer(phone="13812341234")
    ciphertext = raw_row(customer)["phone"]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(ciphertext, context="customer.email")


def test_rows_written_before_encryption_still_read():
    customer = make_customer(phone="")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE customers_customer SET phone = %s WHERE id = %s", ["13812341234", customer.pk]
        )
    assert Customer.objects.get(pk=customer.pk).phone == "13812341234"


def test_a_configured_key_is_used_and_old_keys_still_decrypt():
    with override_settings(TINGSU_PII_KEYS=KEY_A):
        customer = make_customer(phone="13812341234")
        assert raw_row(customer)["phone"].startswith("pii1:a:")
    with override_settings(TINGSU_PII_KEYS=f"{KEY_B},{KEY_A}"):
        assert Customer.objects.get(pk=customer.pk).phone == "13812341234"
    with override_settings(TINGSU_PII_KEYS=KEY_B), pytest.raises(crypto.DecryptionError):
        Customer.objects.get(pk=customer.pk)


def test_keys_can_come_from_a_file(tmp_path):
    path = tmp_path / "pii.keys"
    path.write_text(f"# current first\n{KEY_B}\n{KEY_A}\n")
    with override_settings(TINGSU_PII_KEYS="", TINGSU_PII_KEY_FILE=str(path)):
        ring = crypto.data_keyring()
        assert ring.current_kid == "b" and set(ring.keys) == {"a", "b"} and not ring.is_dev


@pytest.mark.parametrize("bad", ["nokid", "a:not-base64!", "a:" + base64.b64encode(b"x").decode()])
def test_it_rejects_malformed_keys(bad):
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(TINGSU_PII_KEYS=bad), pytest.raises(ImproperlyConfigured):
        crypto.data_keyring()


def test_the_deploy_check_warns_about_development_keys():
    from tingsu.privacy.checks import check_pii_keys

    with override_settings(TINGSU_PII_KEYS="", TINGSU_PII_INDEX_KEYS=""):
        assert {w.id for w in check_pii_keys(None)} == {"privacy.W001", "privacy.W002"}
    with override_settings(TINGSU_PII_KEYS=KEY_A, TINGSU_PII_INDEX_KEYS=KEY_B):
        assert check_pii_keys(None) == []
    with override_settings(TINGSU_PII_KEYS=KEY_A, TINGSU_PII_INDEX_KEYS=KEY_A):
        assert [w.id for w in check_pii_keys(None)] == ["privacy.W003"]


def test_phone_lookups_match_rows_indexed_under_the_previous_index_key():
    with override_settings(TINGSU_PII_INDEX_KEYS=KEY_A):
        customer = make_customer(phone="13812341234")
    with override_settings(TINGSU_PII_INDEX_KEYS=f"{KEY_B},{KEY_A}"):
        assert list(customers_by_phone(phone="13812341234")) == [customer]
