from types import SimpleNamespace

import pytest

from tingsu.privacy.masking import (
    is_valid_bank_card,
    is_valid_id_number,
    mask_bank_card,
    mask_email,
    mask_id_number,
    mask_phone,
    mask_pii_text,
    user_sees_pii,
)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812341234", "138****1234"),
        ("+86 138 1234 1234", "+86 138 **** 1234"),
        ("+8613812341234", "+86138****1234"),
        ("010-12345678", "010-****5678"),
        ("0755-1234567", "0755-***4567"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_masks_phones_keeping_prefix_and_last_digits(raw, masked):
    assert mask_phone(raw) == masked


def test_it_masks_id_numbers_bank_cards_and_emails():
    assert mask_id_number("320102199001011234") == "3201**********1234"
    assert mask_bank_card("6222021234567890") == "6222********7890"
    assert mask_bank_card("6222 0212 3456 7890") == "6222 **** **** 7890"
    assert mask_email("zhang@example.com") == "z***@example.com"
    assert mask_email("not-an-email") == "n***********"


def test_it_verifies_id_check_digits_and_luhn():
    assert is_valid_id_number("11010519491231002X")
    assert is_valid_id_number("11010519491231002x")
    assert not is_valid_id_number("110105194912310021")
    assert is_valid_bank_card("4111 1111 1111 1111")
    assert not is_valid_bank_card("4111 1111 1111 1112")


def test_it_masks_contact_data_in_free_text():
    text = (
        "电话13812341234，身份证11010519491231002X，卡号4111 1111 1111 1111，"
        "邮箱zhang.san@qq.com，座机010-87654321，另一个 +86-139-1234-5678"
    )
    masked = mask_pii_text(text)
    assert masked == (
        "电话138****1234，身份证1101**********002X，卡号4111 **** **** 1111，"
        "邮箱z***@qq.com，座机010-****4321，另一个 +86-139-****-5678"
    )


def test_it_leaves_numbers_with_wrong_check_digits_alone():
    text = "快递单号 123456789012345678，订单 4111111111111112，编号 SF13812341234"
    assert mask_pii_text(text) == text


def test_it_handles_empty_text():
    assert mask_pii_text("") == ""
    assert mask_pii_text(None) == ""


@pytest.mark.parametrize(
    ("user", "sees"),
    [
        (None, False),
        (SimpleNamespace(is_authenticated=False), False),
        (SimpleNamespace(is_authenticated=True, is_active=True, role="supervisor"), True),
        (SimpleNamespace(is_authenticated=True, is_active=True, role="compliance"), True),
        (SimpleNamespace(is_authenticated=True, is_active=True, role="admin"), True),
        (SimpleNamespace(is_authenticated=True, is_active=False, role="admin"), False),
        (
            SimpleNamespace(
                is_authenticated=True, is_active=True, role="agent", has_perm=lambda p: False
            ),
            False,
        ),
        (
            SimpleNamespace(
                is_authenticated=True,
                is_active=True,
                role="agent",
                has_perm=lambda p: p == "privacy.view_pii",
            ),
            True,
        ),
    ],
)
def test_it_decides_clearance_by_role_or_permission(user, sees):
    assert user_sees_pii(user) is sees


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("我的身份证号是320106750312123，请核实", "我的身份证号是3201*******2123，请核实"),
        ("证件号码：110101491001001。", "证件号码：1101*******1001。"),
        ("ID number 440301800229412", "ID number 4403*******9412"),
    ],
)
def test_it_masks_a_15_digit_id_number_named_as_one(raw, masked):
    assert mask_pii_text(raw) == masked


@pytest.mark.parametrize(
    "raw",
    [
        "订单号 320106750312123 一直没发货",  # no word says it is an ID
        "身份证号 990106750312124",  # no such province
        "身份证号 320106751332123",  # month 13
        "身份证号 3201067503121234",  # 16 digits
    ],
)
def test_it_leaves_other_15_digit_numbers_alone(raw):
    assert mask_pii_text(raw) == raw
