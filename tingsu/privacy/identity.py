"""Canonical forms and blind indexes of the identities customers are looked up by."""

from __future__ import annotations

from tingsu.customers.phones import phone_normalise
from tingsu.privacy.crypto import blind_index, blind_index_candidates


def email_canonical(email: str | None) -> str:
    return (email or "").strip().casefold()


def blind_index_phone(phone: str | None) -> str:
    """HMAC of the E.164 form: `Customer.objects.filter(phone_index=blind_index_phone(p))`."""
    return blind_index(phone_normalise(phone or ""), kind="phone")


def blind_index_email(email: str | None) -> str:
    return blind_index(email_canonical(email), kind="email")


def phone_index_values(phone: str | None) -> list[str]:
    """Index values under every configured index key (for lookups during key rotation)."""
    return blind_index_candidates(phone_normalise(phone or ""), kind="phone")


def email_index_values(email: str | None) -> list[str]:
    return blind_index_candidates(email_canonical(email), kind="email")


INDEXERS = {"phone": blind_index_phone, "email": blind_index_email}
