from tingsu.cases.models import OPEN_STATUSES, Case
from tingsu.channels.phone.selectors import customer_by_phone


def sms_thread_case(*, phone: str) -> Case | None:
    """Where an SMS from this number goes: its customer's most recently active open case.

    Texts are short ("还没处理吗？") and say nothing a similarity check could match, so an
    SMS joins the conversation the customer is having rather than the same-matter rule.
    """
    customer = customer_by_phone(phone=phone)
    if customer is None:
        return None
    return (
        Case.objects.filter(customer=customer, status__in=OPEN_STATUSES)
        .order_by("-updated_at", "-id")
        .first()
    )
