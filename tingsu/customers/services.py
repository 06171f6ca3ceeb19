import re

from django.db import transaction
from django.db.models import Q

from tingsu.customers.models import Customer

# A mainland mobile number written with the country code: +86, 0086 or 86.
_CN_MOBILE = re.compile(r"^(?:\+86|0086|86)(1\d{10})$")


def normalise_phone(phone: str) -> str:
    """Digits only (a leading + is kept), and mainland mobiles without the country code."""
    phone = (phone or "").strip()
    digits = "".join(ch for ch in phone if ch.isdigit())
    clean = f"+{digits}" if phone.startswith("+") and digits else digits
    match = _CN_MOBILE.match(clean)
    return match.group(1) if match else clean


def _identity_q(field: str, value: str) -> Q:
    # Emails are compared case-insensitively: older rows may have been stored with capitals.
    return Q(email__iexact=value) if field == "email" else Q(**{field: value})


@transaction.atomic
def customer_resolve(
    *,
    name: str,
    phone: str = "",
    email: str = "",
    wechat_openid: str = "",
    customer_number: str = "",
) -> Customer:
    """Find the customer by a strong identity, or create one.

    Order: customer number, phone, email, openid. Blank contact fields on a
    found customer are filled in, unless another customer already holds that
    identity; existing values are never overwritten here.
    """
    phone = normalise_phone(phone)
    email = (email or "").strip().casefold()
    lookups = [
        ("customer_number", (customer_number or "").strip()),
        ("phone", phone),
        ("email", email),
        ("wechat_openid", (wechat_openid or "").strip()),
    ]
    customer = None
    for field, value in lookups:
        if value:
            customer = Customer.objects.filter(_identity_q(field, value)).order_by("id").first()
            if customer:
                break
    if customer is None:
        return Customer.objects.create(
            name=(name or "").strip() or phone or email,
            phone=phone,
            email=email,
            wechat_openid=lookups[3][1],
            customer_number=lookups[0][1],
        )
    updates = {
        f: v
        for f, v in lookups
        if v
        and not getattr(customer, f)
        and not Customer.objects.filter(_identity_q(f, v)).exclude(pk=customer.pk).exists()
    }
    if updates:
        Customer.objects.filter(pk=customer.pk).update(**updates)
        for field, value in updates.items():
            setattr(customer, field, value)
    return customer
