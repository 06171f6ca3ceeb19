"""One canonical form for phone numbers: E.164 ("+8613812345678").

Numbers are parsed with phonenumbers in the default region (CN unless
settings.TINGSU["DEFAULT_PHONE_REGION"] says otherwise), so "138 1234 5678",
"+86 138-1234-5678" and "008613812345678" are the same customer. What phonenumbers
does not accept as a valid number is kept as its digits (a leading + kept), so
nothing a customer typed is lost.
"""

import phonenumbers
from django.conf import settings


def default_region() -> str:
    return settings.TINGSU.get("DEFAULT_PHONE_REGION", "CN")


def _digits(raw: str) -> str:
    digits = "".join(ch for ch in raw if ch.isdigit())
    return f"+{digits}" if raw.startswith("+") and digits else digits


def _parse(raw: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(raw, default_region())
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def phone_normalise(raw: str) -> str:
    """The canonical form of a phone number: E.164 when valid, else its digits."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    number = _parse(raw)
    if number is None:
        return _digits(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_lookup_values(raw: str) -> list[str]:
    """The stored values that mean this number: the canonical form, and for a number of
    the default region its national digits too ("13812345678"), the form rows written
    before numbers were canonical (or by bulk seeding) may still hold."""
    canonical = phone_normalise(raw)
    if not canonical:
        return []
    values = [canonical]
    number = _parse(canonical)
    if number is not None and phonenumbers.region_code_for_number(number) == default_region():
        national = _digits(
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        )
        if national and national not in values:
            values.append(national)
    return values


def looks_like_phone(text: str) -> bool:
    """Whether a search text is a phone number (7+ digits, only phone punctuation)."""
    text = (text or "").strip()
    digits = sum(ch.isdigit() for ch in text)
    return digits >= 7 and all(ch.isdigit() or ch in "+-() " for ch in text)
