"""Reads. Every staff list goes through `scoped_cases`."""

import copy
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.apps import apps
from django.db.models import (
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import IsNull
from django.utils import timezone

from tingsu.accounts.models import Department, User
from tingsu.cases.models import (
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseEvent,
    Category,
    ResolutionCode,
    RootCause,
    Tag,
)
from tingsu.cases.paging import PagedQuerySet
from tingsu.cases.permissions import scoped_cases
from tingsu.cases.search import search_cases
from tingsu.core.config import cached
from tingsu.core.subqueries import any_row


class QueueTab:
    MINE = "mine"
    UNASSIGNED = "unassigned"
    DEPARTMENT = "department"
    ALL = "all"
    CHOICES = (MINE, UNASSIGNED, DEPARTMENT, ALL)


SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "priority": ("priority", "-created_at", "-id"),
    "updated": ("-updated_at", "-id"),
    "number": ("number",),
    # The nearest running SLA deadline (Case.sla_due_at, kept by triggers); cases without
    # one last. "IS NULL" first rather than NULLS LAST so that the case_queue_dept_due /
    # case_queue_due indexes serve it on SQLite too.
    "due": (IsNull(F("sla_due_at"), True).asc(), F("sla_due_at").asc(), "-id"),
}


class SlaFilter:
    WARNING = "warning"
    BREACHED = "breached"
    CHOICES = (WARNING, BREACHED)


@dataclass
class CaseFilters:
    tab: str = QueueTab.ALL
    status: list[str] = field(default_factory=list)
    category: int | None = None
    severity: str = ""
    channel: str = ""
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""
    assignee: int | None = None
    department: int | None = None
    customer: int | None = None
    sort: str = "newest"
    open_only: bool = False
    sla: str = ""


def _day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def _with_sla(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Each case's nearest running SLA deadline and its state, in the same query.

    sla_due: earliest due_at of open, unpaused timers (Case.sla_due_at); sla_paused / sla_warned /
    sla_breached: whether an open timer is paused, warned (not yet breached) or breached."""
    timers = apps.get_model("sla", "SlaTimer").objects.filter(
        case_id=OuterRef("pk"), stopped_at__isnull=True
    )
    return qs.annotate(
        # Kept by triggers (tingsu.cases.sla_due) rather than a per-row subquery, which
        # PostgreSQL may plan as a walk of the whole due_at index.
        sla_due=F("sla_due_at"),
        sla_paused=any_row(timers.filter(paused_at__isnull=False)),
        sla_warned=any_row(timers.filter(breached_at__isnull=True).exclude(warned_levels=[])),
        sla_breached=any_row(timers.filter(breached_at__isnull=False)),
    )


def case_list(*, user: User, filters: CaseFilters) -> QuerySet[Case]:
    qs = _with_sla(scoped_cases(user))
    tab = filters.tab
    if tab == QueueTab.MINE:
        qs = qs.filter(assignee_id=user.pk)
    elif tab == QueueTab.UNASSIGNED:
        qs = qs.filter(assignee__isnull=True, department_id=user.department_id)
    elif tab == QueueTab.DEPARTMENT:
        qs = qs.filter(department_id=user.department_id)
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    elif filters.open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if filters.category:
        qs = qs.filter(Q(category_id=filters.category) | Q(category__parent_id=filters.category))
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.assignee:
        qs = qs.filter(assignee_id=filters.assignee)
    if filters.department:
        qs = qs.filter(department_id=filters.department)
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.date_from:
        qs = qs.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(created_at__lt=_day_start(filters.date_to) + timezone.timedelta(days=1))
    if filters.sla == SlaFilter.BREACHED:
        qs = qs.filter(sla_breached=True)
    elif filters.sla == SlaFilter.WARNING:
        qs = qs.filter(sla_warned=True, sla_breached=False)
    if filters.text.strip():
        # A search matches cases all over the table: a page loads its ids first (paging.py).
        qs = PagedQuerySet.of(search_cases(qs, filters.text))
    order = SORTS.get(filters.sort, SORTS["newest"])
    return (
        qs.select_related("customer", "category", "category__parent", "assignee", "department")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .order_by(*order)
    )


def case_timeline(*, case: Case, public_only: bool) -> QuerySet[CaseEvent]:
    qs = case.events.select_related("author").prefetch_related(
        Prefetch(
            "attachments",
            queryset=Attachment.objects.filter(is_public=True)
            if public_only
            else Attachment.objects.all(),
        )
    )
    if public_only:
        qs = qs.filter(is_public=True)
    return qs.order_by("created_at", "id")


def case_staff_timeline(*, case: Case) -> list[CaseEvent]:
    """The whole timeline for the staff case page, each event with .has_attachments from
    the same statement; the attachments are read (one statement) only when some event has
    any, which most cases' timelines do not."""
    found = Attachment.objects.filter(event_id=OuterRef("pk"))
    events = list(
        case.events.select_related("author")
        .annotate(has_attachments=any_row(found))  # per event, through the event index
        .order_by("created_at", "id")
    )
    with_files = [event for event in events if event.has_attachments]
    if with_files:
        prefetch_related_objects(with_files, "attachments")
    return events


def customer_other_cases(*, user: User, case: Case, limit: int = 10) -> list[Case]:
    """The customer's other cases that this user may see (hidden ones are not shown)."""
    # The panel shows number, status and subject: no long texts, no category join.
    return list(
        scoped_cases(user)
        .filter(customer_id=case.customer_id)
        .exclude(pk=case.pk)
        .only("number", "status", "subject", "created_at")
        .order_by("-created_at")[:limit]
    )


def customer_case_count(*, case: Case) -> int:
    return Case.objects.filter(customer_id=case.customer_id).count()


def case_page_queryset() -> QuerySet[Case]:
    """The staff case page's one read of its case (for permissions.access_case): with its
    customer, assignee, triage risk explanation and the customer's case count. The
    configuration it refers to comes from `case_configuration`: PostgreSQL plans each
    joined table (a millisecond for the five lookups), more than reading them costs."""
    count = (
        Case.objects.filter(customer_id=OuterRef("customer_id"))
        .order_by()
        .values("customer_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Case.objects.select_related("customer", "assignee", "triage_risk").annotate(
        customer_case_count=Coalesce(Subquery(count), 0)
    )


@dataclass(frozen=True)
class CaseConfiguration:
    """Every category (with its parent), department, resolution code and root cause by
    pk, in each model's own order; inactive ones too, which older cases still show."""

    categories: dict[int, Category]
    departments: dict[int, Department]
    resolution_codes: dict[int, ResolutionCode]
    root_causes: dict[int, RootCause]


def _load_case_configuration() -> CaseConfiguration:
    def by_pk(queryset) -> dict:
        return {obj.pk: obj for obj in queryset}

    return CaseConfiguration(
        categories=by_pk(Category.objects.select_related("parent")),
        departments=by_pk(Department.objects.all()),
        resolution_codes=by_pk(ResolutionCode.objects.all()),
        root_causes=by_pk(RootCause.objects.all()),
    )


def case_configuration() -> CaseConfiguration:
    """Kept per process until the configuration changes (tingsu.core.config; CasesConfig
    watches these models): one version read instead of a query per list. Shared between
    requests and threads: read-only."""
    return cached("case-configuration", _load_case_configuration)


_CONFIGURED = {
    "category": "categories",
    "department": "departments",
    "resolution_code": "resolution_codes",
    "root_cause": "root_causes",
}


def case_attach_configuration(*, case: Case, configuration: CaseConfiguration) -> None:
    """Give the case the category, department, resolution code and root cause it was not
    read with, from the configuration: copies, so the case's own are its own."""
    for name, rows in _CONFIGURED.items():
        fk = Case._meta.get_field(name)
        pk = getattr(case, fk.attname)
        if pk is None or fk.is_cached(case):
            continue
        row = getattr(configuration, rows).get(pk)
        if row is not None:  # else Django reads it when asked, as usual
            fk.set_cached_value(case, copy.copy(row))
