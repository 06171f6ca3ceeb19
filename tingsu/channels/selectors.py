"""Reading in-app staff notifications."""

from collections.abc import Iterable

from django.db.models import QuerySet

from tingsu.accounts.models import User
from tingsu.cases.permissions import scoped_cases
from tingsu.channels.models import StaffNotification


def staff_notification_list(*, user: User) -> QuerySet[StaffNotification]:
    """The user's own notifications, newest first, with their cases."""
    return (
        StaffNotification.objects.filter(user=user)
        .select_related("case")
        .order_by("-created_at", "-id")
    )


def cases_still_in_scope(*, user: User, case_ids: Iterable[int]) -> set[int]:
    """Which of these cases the user may still open (one query)."""
    ids = {i for i in case_ids if i is not None}
    if not ids:
        return set()
    return set(scoped_cases(user).filter(pk__in=ids).values_list("pk", flat=True))
