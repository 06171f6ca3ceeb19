"""Triage reads: agents' duty status and load for the duty page."""

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from tingsu.accounts.models import Role, User
from tingsu.cases.models import OPEN_STATUSES
from tingsu.triage.assignment import weight_expr


def agents_with_load(*, department_id: int | None = None) -> QuerySet[User]:
    """Active agents (of one department, or all), each with .load (severity weighted open
    cases, as assignment counts it) and .open_count; the routing profile is joined."""
    open_q = Q(assigned_cases__status__in=OPEN_STATUSES)
    users = User.objects.filter(role=Role.AGENT, is_active=True)
    if department_id is not None:
        users = users.filter(department_id=department_id)
    return (
        users.select_related("triage_profile", "department")
        .annotate(
            load=Coalesce(Sum(weight_expr(), filter=open_q), 0),
            open_count=Count("assigned_cases", filter=open_q),
        )
        .order_by("department__name", "display_name", "pk")
    )
