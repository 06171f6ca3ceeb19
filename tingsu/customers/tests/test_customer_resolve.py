"""One customer across phone, email, WeChat openid and customer number."""

import pytest

from tingsu.customers.models import Customer
from tingsu.customers.services import customer_resolve, normalise_phone

pytestmark = pytest.mark.django_db


@pytest.fixture
def known():
    return Customer.objects.create(
        name="王芳",
        phone="13800001111",
        email="wang.fang@example.com",
        wechat_openid="oABC123",
        customer_number="VIP-0001",
    )


def test_it_finds_a_customer_by_customer_number(known):
    assert customer_resolve(name="王芳", customer_number=" VIP-0001 ") == known
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    "phone",
    ["13800001111", "138-0000-1111", "138 0000 1111", "+86 138 0000 1111", "008613800001111"],
)
def test_it_finds_a_customer_by_a_normalised_phone(known, phone):
    assert customer_resolve(name="王女士", phone=phone) == known
    assert Customer.objects.count() == 1


@pytest.mark.parametrize("email", ["wang.fang@example.com", " Wang.Fang@EXAMPLE.com "])
def test_it_finds_a_customer_by_a_case_folded_email(known, email):
    assert customer_resolve(name="王芳", email=email) == known


def test_it_finds_a_customer_whose_email_was_stored_with_capitals():
    stored = Customer.objects.create(name="Li Lei", email="Li.Lei@Example.com")
    assert customer_resolve(name="Li Lei", email="li.lei@example.com") == stored


def test_it_finds_a_customer_by_wechat_openid(known):
    assert customer_resolve(name="微信用户", wechat_openid="oABC123") == known


def test_the_customer_number_wins_over_a_phone_of_someone_else(known):
    other = Customer.objects.create(name="李雷", phone="13900002222")
    found = customer_resolve(name="王芳", customer_number="VIP-0001", phone="13900002222")
    assert found == known
    assert Customer.objects.get(pk=other.pk).phone == "13900002222"


def test_it_fills_blank_contact_fields_but_never_overwrites_them():
    customer = Customer.objects.create(name="张伟", phone="13700003333")
    found = customer_resolve(
        name="张先生",
        phone="137-0000-3333",
        email="Zhang.Wei@Example.com",
        wechat_openid=" oZW ",
        customer_number="C-9",
    )
    assert found == customer
    customer.refresh_from_db()
    assert customer.name == "张伟"
    assert customer.email == "zhang.wei@example.com"
    assert customer.wechat_openid == "oZW" and customer.customer_number == "C-9"
    assert (found.email, found.wechat_openid) == (customer.email, customer.wechat_openid)

    customer_resolve(name="张伟", phone="13700003333", email="other@example.com")
    customer.refresh_from_db()
    assert customer.email == "zhang.wei@example.com"


def test_it_does_not_fill_in_an_identity_that_belongs_to_another_customer(known):
    phone_only = Customer.objects.create(name="赵敏", phone="13600004444")
    found = customer_resolve(name="赵敏", phone="13600004444", email="wang.fang@example.com")
    assert found == phone_only
    assert Customer.objects.get(pk=phone_only.pk).email == ""


def test_it_creates_a_customer_when_nothing_matches(known):
    created = customer_resolve(
        name=" 陈静 ", phone="+86 135 0000 5555", email="Chen.Jing@Example.com"
    )
    assert created.pk != known.pk
    created.refresh_from_db()
    assert created.name == "陈静"
    assert created.phone == "+8613500005555"
    assert created.email == "chen.jing@example.com"
    assert Customer.objects.count() == 2


def test_a_customer_without_a_name_is_named_by_their_contact():
    created = customer_resolve(name="", phone="13500006666")
    assert created.name == "+8613500006666"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("13800001111", "+8613800001111"),
        ("+86 138-0000-1111", "+8613800001111"),
        ("0086 13800001111", "+8613800001111"),
        ("86 13800001111", "+8613800001111"),
        ("(010) 6552-1234", "+861065521234"),
        ("+1 415 555 0100", "+14155550100"),
        ("+852 9123 4567", "+85291234567"),
        # Not a valid number anywhere: kept as the digits the customer typed.
        ("12315", "12315"),
        ("+999 12", "+99912"),
        ("", ""),
    ],
)
def test_normalise_phone(raw, clean):
    assert normalise_phone(raw) == clean


def test_it_finds_a_customer_stored_with_the_old_eleven_digit_form():
    # Bulk-seeded rows and rows from before canonical numbers hold national digits.
    legacy = Customer.objects.create(name="周杰", phone="13812345678")
    assert customer_resolve(name="周先生", phone="+86 138 1234 5678") == legacy
    assert customer_resolve(name="周先生", phone="138 1234 5678") == legacy
    assert Customer.objects.count() == 1
