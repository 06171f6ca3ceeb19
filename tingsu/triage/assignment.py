"""Pick an agent inside a department: round robin, least loaded, or by skills (the case's
category, then the language it is written in: see language.py).

Only active agents of the department with a routing profile that is on duty, whose open
load (severity weighted: normal 1, urgent 2, major 3) is below their capacity, are
candidates. With no candidate the case stays unassigned in the department's pool.
"""

from django.db.models import Case as When_
from django.db.models import Count, IntegerField, Sum, Value, When

from tingsu.accounts.models import Role, User
from tingsu.cases.models import OPEN_STATUSES, Case, Severity
from tingsu.triage.language import detect_language, speaks
from tingsu.triage.models import DepartmentRouting, Strategy

WEIGHT = {Severity.NORMAL: 1, Severity.URGENT: 2, Severity.MAJOR: 3}


def weight_expr(severity: str = "assigned_cases__severity"):
    """An open case's weight in an agent's load, from the severity at `severity` (a path
    from the user by default; "severity" on a case)."""
    return When_(
        *[When(**{severity: s}, then=Value(w)) for s, w in WEIGHT.items()],
        default=Value(1),
        output_field=IntegerField(),
    )


def candidates(department_id: int) -> list[User]:
    """On-duty agents under capacity, each with .load (weighted) and .open_count.

    Two reads: the department's on-duty agents (a handful), then their open cases through
    the assignee index. Joined in one statement, PostgreSQL planned a scan of every case
    before it knew which agents were on duty (450 ms at 1M cases, per intake)."""
    users = list(
        User.objects.filter(
            department_id=department_id,
            role=Role.AGENT,
            is_active=True,
            triage_profile__on_duty=True,
        )
        .select_related("triage_profile")
        .order_by("pk")
    )
    with_open_loads(users)
    return [u for u in users if u.load < u.triage_profile.capacity]


def with_open_loads(users: list[User]) -> list[User]:
    """Set .load (severity weighted open cases) and .open_count on each user, in one read
    of the covering index case_open_load (assignee, status, severity). Returns the same
    list."""
    if not users:
        return users
    loads = {
        row["assignee_id"]: row
        for row in Case.objects.filter(
            assignee_id__in=[u.pk for u in users], status__in=OPEN_STATUSES
        )
        .order_by()
        .values("assignee_id")
        .annotate(load=Sum(weight_expr("severity")), open_count=Count("id"))
    }
    for user in users:
        row = loads.get(user.pk, {})
        user.load, user.open_count = row.get("load", 0), row.get("open_count", 0)
    return users


def _least_loaded(users: list[User]) -> User | None:
    return min(users, key=lambda u: (u.load, u.open_count, u.pk), default=None)


def _skilled(users: list[User], case: Case) -> list[User]:
    """Agents with the case's category (or its parent) as a skill; every candidate when
    the case has no category. Among them, those who speak the case's language first."""
    if case.category_id is None:
        return _speaking(users, case)
    wanted = {case.category_id}
    if case.category.parent_id:
        wanted.add(case.category.parent_id)
    skilled = set(
        User.objects.filter(
            pk__in=[u.pk for u in users], triage_profile__skills__in=wanted
        ).values_list("pk", flat=True)
    )
    return _speaking([u for u in users if u.pk in skilled], case)


def _speaking(users: list[User], case: Case) -> list[User]:
    language = detect_language(f"{case.subject}\n{case.description}")
    fluent = [u for u in users if speaks(u.triage_profile.languages, language)]
    return fluent or users


def pick_assignee(case: Case, routing: DepartmentRouting) -> User | None:
    """Choose the agent; for round robin, moves the (locked) department cursor."""
    users = candidates(case.department_id)
    if not users:
        return None
    if routing.strategy == Strategy.SKILLS:
        return _least_loaded(_skilled(users, case))
    if routing.strategy == Strategy.ROUND_ROBIN:
        locked = DepartmentRouting.objects.select_for_update().get(pk=routing.pk)
        after = [u for u in users if u.pk > locked.rr_cursor]
        chosen = (after or users)[0]
        DepartmentRouting.objects.filter(pk=locked.pk).update(rr_cursor=chosen.pk)
        return chosen
    return _least_loaded(users)
