"""Reads of the phone channel: who is calling, and the call-backs a user should make."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from tingsu.accounts.models import Role, User
from tingsu.cases.models import OPEN_STATUSES, Case, CaseEvent, EventKind
from tingsu.cases.permissions import scoped_cases
from tingsu.channels.models import InboundRecord
from tingsu.channels.phone.models import CallbackStatus, CallbackTask
from tingsu.core.errors import NotFound
from tingsu.customers.models import Customer
from tingsu.customers.phones import phone_normalise
from tingsu.customers.selectors import customer_find_by_phone


def customer_by_phone(*, phone: str) -> Customer | None:
    """The customer holding this number, whatever way it was written (the oldest if two do,
    as customer_resolve picks)."""
    return customer_find_by_phone(phone=phone)


@dataclass
class CallerInfo:
    phone: str  # canonical
    customer: Customer | None = None
    open_cases: list[Case] = field(default_factory=list)  # the ones this user may see
    open_case_count: int = 0  # all of them, seen or not


def caller_lookup(*, user: User, phone: str) -> CallerInfo:
    info = CallerInfo(phone=phone_normalise(phone))
    info.customer = customer_by_phone(phone=phone)
    if info.customer is None:
        return info
    open_cases = Case.objects.filter(customer=info.customer, status__in=OPEN_STATUSES)
    info.open_case_count = open_cases.count()
    info.open_cases = list(
        scoped_cases(user)
        .filter(customer=info.customer, status__in=OPEN_STATUSES)
        .select_related("assignee")
        .order_by("-updated_at")[:10]
    )
    return info


def callback_scope_q(user: User) -> Q:
    """Admins and compliance see every call-back; a supervisor their department's and the
    unrouted ones; an agent their own plus their department's and the unrouted unassigned."""
    if not user or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser or user.role in (Role.ADMIN, Role.COMPLIANCE):
        return Q()
    unrouted = Q(department__isnull=True, assignee__isnull=True)
    if user.role == Role.SUPERVISOR:
        return Q(department_id=user.department_id) | unrouted if user.department_id else unrouted
    mine = Q(assignee_id=user.pk) | unrouted
    if user.department_id:
        mine |= Q(department_id=user.department_id, assignee__isnull=True)
    return mine


def callback_list(*, user: User, status: str = CallbackStatus.OPEN) -> QuerySet[CallbackTask]:
    return (
        CallbackTask.objects.filter(callback_scope_q(user), status=status)
        .select_related("customer", "assignee", "department", "case")
        .order_by("due_at", "id")
    )


def access_callback(*, user: User, pk: int) -> CallbackTask:
    task = (
        CallbackTask.objects.filter(callback_scope_q(user), pk=pk)
        .select_related("customer")
        .first()
    )
    if task is None:
        raise NotFound()
    return task


def inbound_outcome(*, record_id: int) -> tuple[str, str]:
    """What became of an inbound message, told again for a repeated delivery:
    ("created" | "appended" | "rejected", the reason recorded)."""
    record = InboundRecord.objects.get(pk=record_id)
    if record.case_id is None:
        return "rejected", record.reason
    created = CaseEvent.objects.filter(
        case_id=record.case_id, kind=EventKind.CREATED, data__inbound_record=record.pk
    ).exists()
    return ("created" if created else "appended"), record.reason
