"""Masking of personal data for display, lists and exports.

Pure Python (no database): safe to call from templates, exports and the API.
Masked values keep their shape (separators, length) so a reader can still tell
what kind of value it was and match the last digits with the customer.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

__all__ = [
    "is_valid_bank_card",
    "is_valid_id_number",
    "mask_bank_card",
    "mask_email",
    "mask_id_number",
    "mask_phone",
    "mask_pii_text",
    "user_sees_pii",
]

MASK = "*"

# Roles that see contact data unmasked by clearance. Agents do not: they see masked values and
# reveal with a reason (audited). Compliance reads everything but its role grants no writes.
CLEARED_ROLES = frozenset({"supervisor", "admin", "compliance"})

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_ID_RE = re.compile(_NOT_ALNUM_BEFORE + r"\d{17}[\dXx]" + _NOT_ALNUM_AFTER)
# A first-generation (15-digit, issued until 2004) ID number has no check digit, so in free
# text it is taken for one only after a word that says so (身份证, 证件, ID) and only with a
# real province code and birth date; other 15-digit numbers (orders, waybills) stay.
_ID15_RE = re.compile(
    r"(?:身份证|证件|(?<![A-Za-z])ID(?:\s*(?:card|number|no\.?))?)[^0-9A-Za-z\n]{0,8}"
    r"(?<![0-9A-Za-z])(\d{15})" + _NOT_ALNUM_AFTER,
    re.IGNORECASE,
)
# GB/T 2260 province-level codes: 11-15 north, 21-23 north-east, 31-37 east, 41-46 south
# central, 50-54 south-west, 61-65 north-west, 71 Taiwan, 81-82 Hong Kong and Macao.
_PROVINCE_RANGES = ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71), (81, 82))
_PROVINCES = frozenset(str(c) for lo, hi in _PROVINCE_RANGES for c in range(lo, hi + 1))
_CARD_RE = re.compile(
    _NOT_ALNUM_BEFORE + r"(?:\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?|\d{13,19})" + _NOT_ALNUM_AFTER
)
_MOBILE_RE = re.compile(
    r"(?<![0-9A-Za-z+])(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}" + _NOT_ALNUM_AFTER
)
_LANDLINE_RE = re.compile(
    _NOT_ALNUM_BEFORE + r"(?:\(0\d{2,3}\)[ -]?|0\d{2,3}[ -]?)\d{7,8}" + _NOT_ALNUM_AFTER
)


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _mask_chars(value: str, *, keep_start: int, keep_end: int, countable=str.isdigit) -> str:
    """Mask the countable characters of `value` except the first/last few; keep separators."""
    total = sum(1 for ch in value if countable(ch))
    if total <= keep_start + keep_end:
        keep_start, keep_end = min(keep_start, total // 3), min(keep_end, total // 3)
    out, seen = [], 0
    for ch in value:
        if countable(ch):
            out.append(ch if seen < keep_start or seen >= total - keep_end else MASK)
            seen += 1
        else:
            out.append(ch)
    return "".join(out)


def _is_id_char(ch: str) -> bool:
    return ch.isdigit() or ch in "Xx"


def _landline_area_length(digits: str) -> int:
    # Beijing (010) and the 02x cities have 3-digit area codes; the rest have 4.
    return 3 if digits[:2] in {"01", "02"} else 4


def mask_phone(value: Any) -> str:
    """138****1234 for mobiles (+86 and separators kept), 010-****5678 for landlines."""
    text = "" if value is None else str(value).strip()
    digits = _digits(text)
    if not digits:
        return text
    national = digits
    prefix = 0
    for country in ("0086", "86"):
        if digits.startswith(country) and len(digits) == len(country) + 11:
            national, prefix = digits[len(country) :], len(country)
            break
    if len(national) == 11 and national[0] == "1":
        return _mask_chars(text, keep_start=prefix + 3, keep_end=4)
    if national[0] == "0" and 10 <= len(national) <= 12:
        area = _landline_area_length(national)
        local = len(national) - area
        return _mask_chars(text, keep_start=prefix + area, keep_end=4 if local >= 7 else 2)
    return _mask_chars(text, keep_start=2, keep_end=2)


def mask_id_number(value: Any) -> str:
    """3201**********1234: region prefix and last four kept."""
    text = "" if value is None else str(value).strip()
    return _mask_chars(text, keep_start=4, keep_end=4, countable=_is_id_char)


def mask_bank_card(value: Any) -> str:
    """6222 **** **** 7890: first four and last four digits kept."""
    text = "" if value is None else str(value).strip()
    return _mask_chars(text, keep_start=4, keep_end=4)


def mask_email(value: Any) -> str:
    """z***@example.com: first character of the local part and the domain kept."""
    text = "" if value is None else str(value).strip()
    local, sep, domain = text.rpartition("@")
    if not sep:
        return _mask_chars(text, keep_start=1, keep_end=0, countable=lambda ch: not ch.isspace())
    if not local:
        return text
    return f"{local[0]}***@{domain}"


def is_valid_id_number(value: str) -> bool:
    """GB 11643 check digit (ISO 7064 MOD 11-2) of an 18-character resident ID number."""
    value = value.strip().upper()
    if len(value) != 18 or not value[:17].isdigit() or not _is_id_char(value[17]):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def is_valid_id_number_15(value: str) -> bool:
    """A first-generation ID number: 15 digits, a province code and a real 19YYMMDD birth
    date (it has no check digit, so this only says it could be one)."""
    value = value.strip()
    if len(value) != 15 or not value.isdigit() or value[:2] not in _PROVINCES:
        return False
    try:
        date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))
    except ValueError:
        return False
    return True


def is_valid_bank_card(value: str) -> bool:
    """Luhn check over 13 to 19 digits (separators ignored)."""
    digits = _digits(value)
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def _sub_id(match: re.Match) -> str:
    text = match.group(0)
    return mask_id_number(text) if is_valid_id_number(text) else text


def _sub_id15(match: re.Match) -> str:
    text, number = match.group(0), match.group(1)
    if not is_valid_id_number_15(number):
        return text
    return text[: match.start(1) - match.start(0)] + mask_id_number(number)


def _sub_card(match: re.Match) -> str:
    text = match.group(0)
    return mask_bank_card(text) if is_valid_bank_card(text) else text


def mask_pii_text(text: Any) -> str:
    """Mask mobiles, landlines, ID numbers, bank cards and emails found in free text.

    ID numbers and bank cards are masked only when their check digit is right, so order
    numbers and tracking numbers of the same length are left alone. 15-digit
    (first-generation) ID numbers carry no check digit: they are masked when a word such
    as 身份证 precedes them and their province and birth date are real.
    """
    if not text:
        return "" if text is None else str(text)
    text = str(text)
    text = _EMAIL_RE.sub(lambda m: mask_email(m.group(0)), text)
    text = _ID_RE.sub(_sub_id, text)
    text = _ID15_RE.sub(_sub_id15, text)
    text = _CARD_RE.sub(_sub_card, text)
    text = _MOBILE_RE.sub(lambda m: mask_phone(m.group(0)), text)
    text = _LANDLINE_RE.sub(lambda m: mask_phone(m.group(0)), text)
    return text


def user_sees_pii(user: Any) -> bool:
    """Whether `user` sees customer contact data unmasked without revealing it.

    Supervisors, administrators and compliance officers do by role; anyone else only with the
    `privacy.view_pii` permission granted explicitly. Anonymous users and API keys without a
    user never do.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "is_active", True):
        return False
    if getattr(user, "is_superuser", False) or getattr(user, "role", None) in CLEARED_ROLES:
        return True
    has_perm = getattr(user, "has_perm", None)
    return bool(has_perm and has_perm("privacy.view_pii"))
