"""Retention: anonymise closed cases once their category's policy says so.

A case is due when it is final (closed, withdrawn, rejected, merged), closed more than
`anonymise_after_days` ago under its category's policy (or the default policy), not yet
anonymised, not under legal hold, and its customer is not under legal hold. When all of
a customer's cases are anonymised, the customer is pseudonymised too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tingsu.cases.models import Case
from tingsu.cases.workflow import FINAL_STATUSES
from tingsu.customers.models import Customer
from tingsu.privacy.anonymise import case_anonymise, customer_pseudonymise
from tingsu.privacy.models import AnonymisedCase, CaseLegalHold, RetentionPolicy

BATCH = 50
# When nothing was due, look again only after this long: the query scans closed cases.
IDLE_RECHECK = timedelta(minutes=10)
_idle_until = None


def _due_q(now) -> Q | None:
    policies = list(RetentionPolicy.objects.filter(is_active=True))
    if not policies:
        return None
    own = [p for p in policies if p.category_id]
    default = next((p for p in policies if not p.category_id), None)
    q = Q(pk__in=[])
    for p in own:
        q |= Q(
            category_id=p.category_id, closed_at__lte=now - timedelta(days=p.anonymise_after_days)
        )
    if default:
        cutoff = now - timedelta(days=default.anonymise_after_days)
        q |= ~Q(category_id__in=[p.category_id for p in own]) & Q(closed_at__lte=cutoff)
    return q


def retention_due_cases(*, now=None) -> QuerySet[Case]:
    now = now or timezone.now()
    q = _due_q(now)
    if q is None:
        return Case.objects.none()
    return (
        Case.objects.filter(q, status__in=FINAL_STATUSES, closed_at__isnull=False)
        .exclude(Exists(AnonymisedCase.objects.filter(case=OuterRef("pk"))))
        .exclude(Exists(CaseLegalHold.objects.filter(case=OuterRef("pk"))))
        .exclude(customer__legal_hold=True)
        .select_related("customer")
        .order_by("closed_at", "pk")
    )


def _customer_fully_anonymised(customer: Customer) -> bool:
    return not (
        Case.objects.filter(customer=customer)
        .exclude(Exists(AnonymisedCase.objects.filter(case=OuterRef("pk"))))
        .exists()
    )


@dataclass
class RetentionResult:
    cases: list[str] = field(default_factory=list)
    customers: list[int] = field(default_factory=list)


def retention_run(*, dry_run: bool = False, limit: int | None = None, now=None) -> RetentionResult:
    result = RetentionResult()
    due = retention_due_cases(now=now)
    if limit:
        due = due[:limit]
    for case in due:
        if dry_run:
            result.cases.append(case.number)
            continue
        with transaction.atomic():
            if not case_anonymise(actor=None, case=case, reason="retention"):
                continue
            result.cases.append(case.number)
            customer = case.customer
            if (
                not customer.legal_hold
                and _customer_fully_anonymised(customer)
                and customer_pseudonymise(actor=None, customer=customer, reason="retention")
            ):
                result.customers.append(customer.pk)
    return result


def retention_claim_due() -> bool:
    """Scheduler job: anonymise up to a batch of due cases; True if it did any."""
    global _idle_until
    now = timezone.now()
    if _idle_until and now < _idle_until:
        return False
    done = bool(retention_run(limit=BATCH, now=now).cases)
    _idle_until = None if done else now + IDLE_RECHECK
    return done
