from django.db import transaction
from django.db.models import Q

from tingsu.customers.models import Customer
from tingsu.customers.phones import phone_normalise
from tingsu.customers.selectors import customer_email_q, customer_phone_q


def normalise_phone(phone: str) -> str:
    """The canonical form (E.164, see customers.phones); kept for existing callers."""
    return phone_normalise(phone)


def _identity_q(field: str, value: str) -> Q:
    # Phone and email are encrypted: they match by blind index (canonical form, lower case).
    if field == "email":
        return customer_email_q(value)
    if field == "phone":
        return customer_phone_q(value)
    return Q(**{field: value})


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
