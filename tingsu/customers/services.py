from django.db import transaction

from tingsu.customers.models import Customer


def normalise_phone(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit() or ch == "+")


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
    found customer are filled in; existing values are never overwritten here.
    """
    phone = normalise_phone(phone)
    email = email.strip().casefold()
    lookups = [
        ("customer_number", customer_number.strip()),
        ("phone", phone),
        ("email", email),
        ("wechat_openid", wechat_openid.strip()),
    ]
    customer = None
    for field, value in lookups:
        if value:
            customer = Customer.objects.filter(**{field: value}).order_by("id").first()
            if customer:
                break
    if customer is None:
        return Customer.objects.create(
            name=name.strip() or phone or email,
            phone=phone,
            email=email,
            wechat_openid=wechat_openid.strip(),
            customer_number=customer_number.strip(),
        )
    updates = {f: v for f, v in lookups if v and not getattr(customer, f)}
    if updates:
        Customer.objects.filter(pk=customer.pk).update(**updates)
        for field, value in updates.items():
            setattr(customer, field, value)
    return customer
