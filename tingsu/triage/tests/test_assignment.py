from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tingsu.accounts.models import Department, Role, User
from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Case, Category, Channel, EventKind, Severity, Status
from tingsu.cases.services import Actor, case_create
from tingsu.core.testing import PASSWORD, make_case, make_customer
from tingsu.triage import assignment
from tingsu.triage.assignment import agent_loads_kept, with_open_loads
from tingsu.triage.models import AgentProfile, DepartmentRouting, RoutingRule, Strategy
from tingsu.triage.services import agent_set_on_duty
from tingsu.triage.tests.helpers import audits, events


def agents(dept, prefix, n, **profile):
    users = []
    for i in range(n):
        u = User.objects.create_user(
            username=f"{prefix}{i}", password=PASSWORD, role=Role.AGENT, department=dept
        )
        AgentProfile.objects.create(user=u, **profile)
        users.append(u)
    return users


def counts(dept):
    return Counter(
        Case.objects.filter(department=dept, assignee__isnull=False).values_list(
            "assignee__username", flat=True
        )
    )


def arrive(n, world, texts):
    """n complaints through case_create, one after another, as they would arrive."""
    customers = [make_customer() for _ in range(n)]
    for i, customer in enumerate(customers):
        case_create(
            actor=Actor.customer(customer),
            customer=customer,
            channel=Channel.PORTAL,
            subject="",
            description=texts[i % len(texts)],
            category=world.category,
        )


def test_200_complaints_are_routed_and_spread_per_strategy(world):
    east = Department.objects.create(name="华东组", code="east")
    west = Department.objects.create(name="华西组", code="west")
    RoutingRule.objects.create(order=1, name="华东", keywords="上海", set_department=east)
    RoutingRule.objects.create(order=2, name="华西", keywords="成都", set_department=west)
    east_agents = agents(east, "east", 3, capacity=1000)
    west_agents = agents(west, "west", 4, capacity=1000)
    agents(east, "eastoff", 1, on_duty=False, capacity=1000)
    agents(west, "westoff", 1, on_duty=False, capacity=1000)
    # West starts uneven: west0 already has 5 open cases.
    for _ in range(5):
        make_case(assignee=west_agents[0], department=west)
    DepartmentRouting.objects.create(
        department=east, strategy=Strategy.ROUND_ROBIN, auto_assign=True
    )
    DepartmentRouting.objects.create(
        department=west, strategy=Strategy.LEAST_LOADED, auto_assign=True
    )

    arrive(200, world, ["上海的订单破损了", "成都的快递丢了"])

    routed = Case.objects.filter(customer__name__startswith="顾客")
    assert routed.filter(department=east).count() == 100
    assert routed.filter(department=west).count() == 105
    east_counts = counts(east)
    assert set(east_counts) == {u.username for u in east_agents}  # off-duty got none
    assert max(east_counts.values()) - min(east_counts.values()) <= 1
    west_counts = counts(west)
    assert set(west_counts) == {u.username for u in west_agents}
    assert max(west_counts.values()) - min(west_counts.values()) <= 1
    assert sum(west_counts.values()) == 105
    sample = Case.objects.filter(department=east).first()
    assigned = events(sample, EventKind.ASSIGNED).get()
    assert assigned.author_type == "system"
    assert audits(sample, "case.assign").get().actor_label == "triage"
    assert sample.status == Status.ASSIGNED


def test_least_loaded_weights_open_cases_by_severity(world):
    a, b = agents(world.service, "w", 2, capacity=100)
    make_case(assignee=a, department=world.service, severity=Severity.MAJOR)  # load 3
    make_case(assignee=b, department=world.service)  # load 1
    make_case(assignee=b, department=world.service)  # load 2
    DepartmentRouting.objects.create(
        department=world.service, strategy=Strategy.LEAST_LOADED, auto_assign=True
    )
    case = make_case(category=world.category, description="普通问题")
    assert case.assignee == b
    case = make_case(category=world.category, description="普通问题")
    assert case.assignee == a  # 3 vs 3: fewer open cases wins


def test_skills_give_categories_only_to_skilled_agents(world):
    DepartmentRouting.objects.create(
        department=world.service, strategy=Strategy.SKILLS, auto_assign=True
    )
    skilled = agents(world.service, "skilled", 2, capacity=100)
    plain = agents(world.service, "plain", 2, capacity=100)
    for u in skilled:
        u.triage_profile.skills.add(world.category)
    other = Category.objects.create(name="发票", code="invoice", default_department=world.service)
    for _ in range(10):
        make_case(category=world.subcategory, description="杯子破损")  # parent skill counts
    for _ in range(3):
        make_case(category=other, description="发票开错了")
    got = counts(world.service)
    assert set(got) == {u.username for u in skilled}
    assert sorted(got.values()) == [5, 5]
    assert not Case.objects.filter(assignee__in=plain).exists()
    assert Case.objects.filter(category=other, assignee__isnull=True).count() == 3


def test_capacity_is_respected_and_overflow_stays_in_the_pool(world):
    a, b = agents(world.service, "cap", 2, capacity=3)
    full = agents(world.service, "full", 1, capacity=1)[0]
    make_case(assignee=full, department=world.service)
    DepartmentRouting.objects.create(
        department=world.service, strategy=Strategy.ROUND_ROBIN, auto_assign=True
    )
    for _ in range(10):
        make_case(category=world.category, description="普通问题")
    got = counts(world.service)
    assert got == {"cap0": 3, "cap1": 3, "full0": 1}
    pool = Case.objects.filter(department=world.service, assignee__isnull=True)
    assert pool.count() == 4
    assert set(pool.values_list("status", flat=True)) == {Status.NEW}


def test_no_auto_assign_without_the_switch_or_a_profile(world):
    DepartmentRouting.objects.create(department=world.service, auto_assign=False)
    case = make_case(category=world.category, description="普通问题")
    assert case.assignee is None
    DepartmentRouting.objects.filter(department=world.service).update(auto_assign=True)
    case = make_case(category=world.category, description="普通问题")
    assert case.assignee is None  # alice and bob have no routing profile


def test_going_off_duty_returns_unstarted_cases_to_the_pool(world):
    AgentProfile.objects.create(user=world.alice)
    new = make_case(assignee=world.alice, department=world.service)
    started = make_case(assignee=world.alice, department=world.service, status=Status.IN_PROGRESS)
    returned = agent_set_on_duty(actor=Actor.staff(world.carol), user=world.alice, on_duty=False)
    assert [c.pk for c in returned] == [new.pk]
    new.refresh_from_db()
    started.refresh_from_db()
    assert (new.assignee, new.status) == (None, Status.NEW)
    assert started.assignee == world.alice
    back = events(new, EventKind.ASSIGNED).latest("id")
    assert back.data["to"] is None and back.data["from"] == world.alice.pk
    assert back.body == "Returned to pool: agent off duty" or back.body
    assert events(new, EventKind.TRANSITION).latest("id").data["to"] == Status.NEW
    assert audits(new, "case.return_to_pool").get().actor == world.carol
    duty = AuditEntry.objects.get(action="triage.off_duty")
    assert duty.changes == {"user": world.alice.pk, "on_duty": False}
    world.alice.triage_profile.refresh_from_db()
    assert world.alice.triage_profile.on_duty is False


def test_an_off_duty_agent_gets_no_new_cases(world):
    DepartmentRouting.objects.create(
        department=world.service, strategy=Strategy.ROUND_ROBIN, auto_assign=True
    )
    AgentProfile.objects.create(user=world.alice)
    AgentProfile.objects.create(user=world.bob)
    agent_set_on_duty(actor=Actor.staff(world.carol), user=world.bob, on_duty=False)
    for _ in range(3):
        make_case(category=world.category, description="普通问题")
    assert counts(world.service) == {"alice": 3}
    agent_set_on_duty(actor=Actor.staff(world.carol), user=world.bob, on_duty=True)
    assert AuditEntry.objects.filter(action="triage.on_duty").count() == 1
    assert make_case(category=world.category, description="普通问题").assignee == world.bob


def test_loads_are_read_for_the_on_duty_agents_only_in_two_queries(
    world, django_assert_num_queries
):
    from tingsu.triage.assignment import candidates

    on, off = agents(world.service, "d", 2, capacity=100)
    off.triage_profile.on_duty = False
    off.triage_profile.save()
    make_case(assignee=on, department=world.service, severity=Severity.URGENT)
    make_case(assignee=on, department=world.service, status=Status.RESOLVED)  # not open
    make_case(assignee=off, department=world.service)
    with django_assert_num_queries(2):  # the agents, then their open cases' loads
        found = candidates(world.service.pk)
    assert [(u.username, u.load, u.open_count) for u in found] == [("d0", 2, 1)]


@pytest.mark.sqlite
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan text")
def test_an_agents_open_load_is_read_from_the_index_alone(world):
    make_case(assignee=world.alice)
    with CaptureQueriesContext(connection) as ctx:
        [alice] = with_open_loads([world.alice])
    assert (alice.load, alice.open_count) == (1, 1)
    [read] = ctx.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + read["sql"])
        plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
    # The covering index: no table row is read per open case.
    assert "COVERING INDEX case_open_load" in plan


def _load_reads(queries) -> int:
    return sum(1 for q in queries if "SUM(" in q["sql"].upper())


def test_a_drain_reads_the_loads_once_and_counts_its_own_assignments_forward(world, monkeypatch):
    a, b = agents(world.service, "k", 2, capacity=100)
    make_case(assignee=a, department=world.service, severity=Severity.MAJOR)  # a: load 3
    DepartmentRouting.objects.create(
        department=world.service, strategy=Strategy.LEAST_LOADED, auto_assign=True
    )
    with CaptureQueriesContext(connection) as kept, agent_loads_kept():
        got = [make_case(category=world.category, description="普通问题") for _ in range(6)]
    # b takes three (load 1, 2, 3); then, at equal loads, the one with fewer open cases.
    assert [c.assignee.username for c in got] == ["k1", "k1", "k1", "k0", "k1", "k0"]
    assert _load_reads(kept) == 1

    # Kept for KEEP_SECONDS at most: after that the next intake reads them again.
    monkeypatch.setattr(assignment, "KEEP_SECONDS", 0)
    with CaptureQueriesContext(connection) as fresh, agent_loads_kept():
        make_case(category=world.category, description="普通问题")
        make_case(category=world.category, description="普通问题")
    assert _load_reads(fresh) == 2
    assert counts(world.service) == {"k0": 4, "k1": 5}
