"""Who sees personal data unmasked, and who may reveal it.

- Clearance (`user_sees_pii`, privacy.masking): supervisors, administrators and compliance
  officers by role; anyone else with the `privacy.view_pii` permission.
- Reveal: agents, supervisors and administrators by role (they work cases and must be able
  to call a customer back), anyone else with `privacy.reveal_pii`. Each reveal needs a
  reason and is audited. Compliance officers are read-only and need no reveal.
"""

from typing import Any

from django.utils.translation import gettext as _

from tingsu.core.errors import ErrorCode, TingsuError
from tingsu.privacy.masking import user_sees_pii

REVEAL_ROLES = frozenset({"agent", "supervisor", "admin"})

__all__ = ["REVEAL_ROLES", "check_can_reveal_pii", "user_can_reveal_pii", "user_sees_pii"]


def user_can_reveal_pii(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or getattr(user, "role", None) in REVEAL_ROLES:
        return True
    return user.has_perm("privacy.reveal_pii")


def check_can_reveal_pii(user: Any) -> None:
    if not user_can_reveal_pii(user):
        raise TingsuError(
            ErrorCode.PERMISSION_DENIED, _("You are not allowed to reveal personal data.")
        )
