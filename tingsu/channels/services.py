"""Changes a staff member makes to their own in-app notifications."""

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from tingsu.accounts.models import User
from tingsu.channels.models import StaffNotification
from tingsu.core.errors import NotFound


def staff_notification_mark_read(*, user: User, ids: Iterable[int]) -> int:
    """Mark some of the user's own notifications read; returns how many changed.

    An id that is not one of the user's notifications (another user's, or gone) is
    NotFound, and nothing is changed."""
    wanted = {int(i) for i in ids}
    own = StaffNotification.objects.filter(user=user, pk__in=wanted)
    if not wanted or set(own.values_list("pk", flat=True)) != wanted:
        raise NotFound(_("Notification not found."))
    return own.filter(read_at__isnull=True).update(read_at=timezone.now())


def staff_notification_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    return StaffNotification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
