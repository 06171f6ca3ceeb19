"""Finding customers by an identity. Phone and email are encrypted: exact lookups go
through their blind index (tingsu.privacy.identity), under every configured index key."""

from django.db.models import Q, QuerySet

from tingsu.customers.models import Customer
from tingsu.privacy.identity import email_index_values, phone_index_values


def customer_phone_q(phone: str, *, prefix: str = "") -> Q:
    """Q matching customers (or, with prefix="customer__", cases) by this phone number."""
    values = phone_index_values(phone)
    return Q(**{f"{prefix}phone_index__in": values}) if values else Q(pk__in=[])


def customer_email_q(email: str, *, prefix: str = "") -> Q:
    values = email_index_values(email)
    return Q(**{f"{prefix}email_index__in": values}) if values else Q(pk__in=[])


def customers_by_phone(*, phone: str) -> QuerySet[Customer]:
    return Customer.objects.filter(customer_phone_q(phone)).order_by("id")


def customers_by_email(*, email: str) -> QuerySet[Customer]:
    return Customer.objects.filter(customer_email_q(email)).order_by("id")


def customer_find_by_phone(*, phone: str) -> Customer | None:
    """The oldest customer with this phone number (any format: 138 1234 5678, +86...)."""
    return customers_by_phone(phone=phone).first()


def customer_find_by_email(*, email: str) -> Customer | None:
    """The oldest customer with this email address, compared case-insensitively."""
    return customers_by_email(email=email).first()
