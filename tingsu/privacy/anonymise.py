"""Pseudonymising a customer and masking personal data in a case's free text.

Used by retention and by erasure requests. Audit entries are kept (they hold masked
values only); records under legal hold are never passed in (callers check
`held_case_ids` / `Customer.legal_hold`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tingsu.audit.services import audit_record
from tingsu.cases.models import Case, CaseEvent
from tingsu.customers.models import Customer
from tingsu.privacy.masking import mask_pii_text
from tingsu.privacy.models import AnonymisedCase, CaseLegalHold

PSEUDONYM_PREFIX = "匿名客户-"
CLEARED_FIELDS = (
    "phone",
    "email",
    "id_number",
    "bank_card",
    "wechat_openid",
    "customer_number",
    "region",
)


def pseudonym_for(customer_id: int) -> str:
    digest = hashlib.sha256(f"tingsu-pseudonym:{customer_id}:{settings.SECRET_KEY}".encode())
    return PSEUDONYM_PREFIX + digest.hexdigest()[:10]


def held_case_ids(case_ids) -> set[int]:
    return set(CaseLegalHold.objects.filter(case_id__in=case_ids).values_list("case_id", flat=True))


def _mask_json(value: Any) -> Any:
    if isinstance(value, str):
        return mask_pii_text(value)
    if isinstance(value, list):
        return [_mask_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _mask_json(v) for k, v in value.items()}
    return value


def case_anonymise(*, actor: Any, case: Case, reason: str) -> bool:
    """Mask personal data in the case's subject, description, summary, custom fields and
    every timeline message. Returns False if it was already done (idempotent)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                AnonymisedCase.objects.create(
                    case=case, reason=reason, anonymised_at=timezone.now()
                )
        except IntegrityError:
            return False
        Case.objects.filter(pk=case.pk).update(
            subject=mask_pii_text(case.subject)[:200],
            description=mask_pii_text(case.description),
            resolution_summary=mask_pii_text(case.resolution_summary),
            custom_fields=_mask_json(case.custom_fields or {}),
        )
        masked = 0
        for pk, body in (
            CaseEvent.objects.filter(case=case).exclude(body="").values_list("pk", "body")
        ):
            new = mask_pii_text(body)
            if new != body:
                CaseEvent.objects.filter(pk=pk).update(body=new)
                masked += 1
        audit_record(
            actor=actor,
            action="privacy.case_anonymise",
            obj=case,
            changes={"case": case.number, "reason": reason, "messages_masked": masked},
        )
    return True


def customer_pseudonymise(*, actor: Any, customer: Customer, reason: str) -> bool:
    """Replace the name with a pseudonym and clear every contact field (and blind index)."""
    if customer.anonymised_at:
        return False
    with transaction.atomic():
        updates = {f: "" for f in CLEARED_FIELDS}
        updated = Customer.objects.filter(pk=customer.pk, anonymised_at__isnull=True).update(
            name=pseudonym_for(customer.pk), anonymised_at=timezone.now(), **updates
        )
        if not updated:
            return False
        audit_record(
            actor=actor,
            action="privacy.customer_pseudonymise",
            obj=customer,
            changes={"reason": reason, "cleared": list(CLEARED_FIELDS)},
        )
    return True
