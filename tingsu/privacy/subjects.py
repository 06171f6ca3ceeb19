"""Data-subject requests (PIPL art. 45/47, GDPR art. 15/17): export and erasure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tingsu.audit.services import audit_record
from tingsu.cases.models import Attachment, Case, CaseEvent
from tingsu.core.errors import NotFound, ValidationFailed
from tingsu.customers.models import Customer
from tingsu.customers.selectors import customer_find_by_email, customer_find_by_phone
from tingsu.privacy.anonymise import case_anonymise, customer_pseudonymise, held_case_ids

EXPORT_VERSION = 1


def subject_find(*, customer_id: int | None = None, phone: str = "", email: str = "") -> Customer:
    if sum(bool(x) for x in (customer_id, phone, email)) != 1:
        raise ValidationFailed(_("Give exactly one of customer ID, phone or email."))
    if customer_id:
        customer = Customer.objects.filter(pk=customer_id).first()
    elif phone:
        customer = customer_find_by_phone(phone=phone)
    else:
        customer = customer_find_by_email(email=email)
    if customer is None:
        raise NotFound(_("No customer matches."))
    return customer


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def subject_export(*, actor: Any, customer: Customer) -> dict[str, Any]:
    """Everything Tingsu holds about the customer, as JSON-ready data. Audited."""
    cases = list(
        Case.objects.filter(customer=customer)
        .select_related("category", "department")
        .order_by("created_at", "pk")
    )
    case_ids = [c.pk for c in cases]
    events: dict[int, list[dict]] = {pk: [] for pk in case_ids}
    for e in CaseEvent.objects.filter(case_id__in=case_ids).order_by("created_at", "pk"):
        events[e.case_id].append(
            {
                "kind": e.kind,
                "author_type": e.author_type,
                "is_public": e.is_public,
                "body": e.body,
                "data": e.data,
                "created_at": _iso(e.created_at),
            }
        )
    attachments: dict[int, list[dict]] = {pk: [] for pk in case_ids}
    for a in Attachment.objects.filter(case_id__in=case_ids).order_by("pk"):
        attachments[a.case_id].append(
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "is_public": a.is_public,
                "created_at": _iso(a.created_at),
            }
        )
    held = held_case_ids(case_ids)
    data = {
        "format": "tingsu.subject_export",
        "version": EXPORT_VERSION,
        "exported_at": _iso(timezone.now()),
        "customer": {
            "id": customer.pk,
            "name": customer.name,
            "phone": customer.phone,
            "email": customer.email,
            "id_number": customer.id_number,
            "bank_card": customer.bank_card,
            "wechat_openid": customer.wechat_openid,
            "customer_number": customer.customer_number,
            "tier": customer.tier,
            "region": customer.region,
            "legal_hold": customer.legal_hold,
            "anonymised_at": _iso(customer.anonymised_at),
            "created_at": _iso(customer.created_at),
        },
        "cases": [
            {
                "number": c.number,
                "channel": c.channel,
                "status": c.status,
                "subject": c.subject,
                "description": c.description,
                "category": str(c.category) if c.category else None,
                "department": str(c.department) if c.department else None,
                "order_number": c.order_number,
                "custom_fields": c.custom_fields,
                "resolution_summary": c.resolution_summary,
                "created_at": _iso(c.created_at),
                "closed_at": _iso(c.closed_at),
                "legal_hold": c.pk in held,
                "events": events[c.pk],
                "attachments": attachments[c.pk],
            }
            for c in cases
        ],
    }
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="privacy.subject_export",
            obj=customer,
            changes={"cases": [c.number for c in cases]},
        )
    return data


@dataclass
class ErasureResult:
    customer_id: int
    anonymised_cases: list[str] = field(default_factory=list)
    skipped_cases: list[str] = field(default_factory=list)  # under legal hold
    customer_pseudonymised: bool = False
    skipped_reason: str = ""


def subject_erase(*, actor: Any, customer: Customer) -> ErasureResult:
    """Pseudonymise the customer and mask personal data in their cases. Records under legal
    hold are kept as they are and reported; the audit trail stays."""
    result = ErasureResult(customer_id=customer.pk)
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if customer.legal_hold:
            result.skipped_reason = "customer under legal hold"
            result.skipped_cases = list(
                Case.objects.filter(customer=customer).values_list("number", flat=True)
            )
        else:
            cases = list(Case.objects.filter(customer=customer).order_by("pk"))
            held = held_case_ids([c.pk for c in cases])
            for case in cases:
                if case.pk in held:
                    result.skipped_cases.append(case.number)
                    continue
                case_anonymise(actor=actor, case=case, reason="erasure")
                result.anonymised_cases.append(case.number)
            if held:
                result.skipped_reason = "cases under legal hold refer to the customer"
            else:
                result.customer_pseudonymised = customer_pseudonymise(
                    actor=actor, customer=customer, reason="erasure"
                )
        audit_record(
            actor=actor,
            action="privacy.subject_erase",
            obj=customer,
            changes={
                "anonymised_cases": result.anonymised_cases,
                "skipped_cases": result.skipped_cases,
                "pseudonymised": result.customer_pseudonymised,
                "skipped_reason": result.skipped_reason,
            },
        )
    return result
