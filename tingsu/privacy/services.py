"""Audited reads of personal data: reveal, unmasked case views and search by phone."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tingsu.audit.services import audit_record
from tingsu.cases.models import Case
from tingsu.core.errors import ValidationFailed
from tingsu.customers.phones import phone_normalise
from tingsu.privacy.masking import mask_phone
from tingsu.privacy.permissions import check_can_reveal_pii

REVEAL_REASON_MIN = 4
REVEAL_REASON_MAX = 300


def pii_reveal(*, actor: Any, case: Case, reason: str) -> None:
    """Record that `actor` reveals the case's masked personal data, and why.

    The caller then shows the unmasked values for this one response; nothing is stored
    that would keep them revealed.
    """
    check_can_reveal_pii(actor)
    reason = " ".join((reason or "").split())
    if len(reason) < REVEAL_REASON_MIN:
        raise ValidationFailed(
            _("Say why you need to see the personal data."),
            {
                "reason": [
                    _("A reason of at least %(n)d characters is required.")
                    % {"n": REVEAL_REASON_MIN}
                ]
            },
        )
    if len(reason) > REVEAL_REASON_MAX:
        raise ValidationFailed(
            _("The reason is too long."),
            {"reason": [_("At most %(n)d characters.") % {"n": REVEAL_REASON_MAX}]},
        )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="pii.reveal",
            obj=case,
            changes={"reason": reason, "case": case.number, "customer": case.customer_id},
        )


def pii_case_viewed_unmasked(*, actor: Any, case: Case) -> None:
    """A user with clearance opened a case page showing personal data unmasked."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="case.view_unmasked",
            obj=case,
            changes={"case": case.number, "customer": case.customer_id},
        )


def pii_search_by_phone(*, actor: Any, phone: str, where: str, results: int | None = None) -> None:
    """A search for customers or cases by phone number; only the masked number is stored."""
    changes: dict[str, Any] = {"phone": mask_phone(phone_normalise(phone)), "where": where}
    if results is not None:
        changes["results"] = results
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="customer.search_by_phone",
            object_type="customers.customer",
            object_id="",
            changes=changes,
        )
