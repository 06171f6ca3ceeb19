"""Pick an agent inside a department: round robin, least loaded, or by skills (the case's
category, then the language it is written in: see language.py).

Only active agents of the department with a routing profile that is on duty, whose open
load (severity weighted: normal 1, urgent 2, major 3) is below their capacity, are
candidates. With no candidate the case stays unassigned in the department's pool.

Inside `agent_loads_kept()` (one intake drain) a department's candidates and their loads
are read once and then counted forward by the assignments made there, for at most
KEEP_SECONDS: an agent going off duty, or a case closed elsewhere, counts from the next read.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

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


# A drain of 50 intakes takes about a second; the loads it keeps are that old at most.
KEEP_SECONDS = 2.0

# Inside agent_loads_kept(): department id -> (when read, its on-duty agents with loads).
_kept: ContextVar[dict[int, tuple[float, list[User]]] | None] = ContextVar(
    "assignment_loads_kept", default=None
)


@contextmanager
def agent_loads_kept() -> Iterator[None]:
    """Read each department's candidates and loads once inside this block (see the module
    docstring). Each intake of a drain read them again: two queries, and a load summed over
    every open case of the department's agents."""
    if _kept.get() is not None:
        yield
        return
    token = _kept.set({})
    try:
        yield
    finally:
        _kept.reset(token)


def candidates(department_id: int) -> list[User]:
    """On-duty agents under capacity, each with .load (weighted) and .open_count."""
    kept = _kept.get()
    now = time.monotonic()
    if kept is not None and department_id in kept and now - kept[department_id][0] < KEEP_SECONDS:
        users = kept[department_id][1]
    else:
        users = _on_duty_with_loads(department_id)
        if kept is not None:
            kept[department_id] = (now, users)
    return [u for u in users if u.load < u.triage_profile.capacity]


def _on_duty_with_loads(department_id: int) -> list[User]:
    """Two reads: the department's on-duty agents (a handful), then their open cases through
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
    return with_open_loads(users)


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
    """Choose the agent; for round robin, moves the (locked) department cursor. The chosen
    agent's load counts the case (for the loads agent_loads_kept() keeps)."""
    chosen = _pick(case, routing)
    if chosen is not None:
        chosen.load += WEIGHT.get(case.severity, 1)
        chosen.open_count += 1
    return chosen


def _pick(case: Case, routing: DepartmentRouting) -> User | None:
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
