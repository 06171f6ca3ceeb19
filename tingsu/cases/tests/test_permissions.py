"""Data scopes: who sees which case. Outside the scope a case does not exist (404)."""

import pytest

from tingsu.accounts.models import Role, User
from tingsu.cases.models import Case
from tingsu.cases.permissions import access_case, access_case_by_token, case_scope_q, scoped_cases
from tingsu.core.errors import ErrorCode, NotFound
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):
    """One case in each corner of the scopes."""
    return {
        "alice_own": make_case(department=world.service, assignee=world.alice),
        "bob_own": make_case(department=world.service, assignee=world.bob),
        "service_unassigned": make_case(department=world.service),
        "logistics_unassigned": make_case(department=world.logistics),
        "dave_own": make_case(department=world.logistics, assignee=world.dave),
        "no_department": make_case(),
    }


def visible(user, cases):
    pks = set(Case.objects.filter(case_scope_q(user)).values_list("pk", flat=True))
    return {name for name, case in cases.items() if case.pk in pks}


def test_an_agent_sees_their_own_and_their_departments_unassigned_cases(world, cases):
    assert visible(world.alice, cases) == {"alice_own", "service_unassigned"}
    assert visible(world.dave, cases) == {"logistics_unassigned", "dave_own"}


def test_a_supervisor_sees_their_whole_department(world, cases):
    assert visible(world.carol, cases) == {"alice_own", "bob_own", "service_unassigned"}
    assert visible(world.erin, cases) == {"logistics_unassigned", "dave_own"}


def test_admins_and_compliance_officers_see_everything(world, cases):
    assert visible(world.root, cases) == set(cases)
    assert visible(world.quinn, cases) == set(cases)
    plain_admin = User.objects.create_user(username="adam", role=Role.ADMIN)
    assert visible(plain_admin, cases) == set(cases)


def test_an_agent_without_a_department_sees_only_their_own_cases(world, cases):
    loner = User.objects.create_user(username="lonely", role=Role.AGENT)
    assert visible(loner, cases) == set()
    mine = make_case(department=world.service)
    Case.objects.filter(pk=mine.pk).update(assignee=loner)
    assert set(scoped_cases(loner)) == {mine}


def test_a_supervisor_without_a_department_sees_nothing(world, cases):
    boss = User.objects.create_user(username="boss", role=Role.SUPERVISOR)
    assert visible(boss, cases) == set()


def test_an_inactive_or_anonymous_user_sees_nothing(world, cases):
    from django.contrib.auth.models import AnonymousUser

    world.root.is_active = False
    assert visible(world.root, cases) == set()
    assert visible(AnonymousUser(), cases) == set()
    assert visible(None, cases) == set()


@pytest.mark.parametrize(
    ("user", "name"),
    [
        ("alice", "bob_own"),
        ("alice", "logistics_unassigned"),
        ("alice", "dave_own"),
        ("alice", "no_department"),
        ("dave", "service_unassigned"),
        ("carol", "dave_own"),
        ("erin", "alice_own"),
    ],
)
def test_access_case_answers_not_found_outside_the_scope(world, cases, user, name):
    with pytest.raises(NotFound) as exc:
        access_case(user=getattr(world, user), number=cases[name].number)
    assert exc.value.code == ErrorCode.NOT_FOUND
    assert exc.value.http_status == 404


@pytest.mark.parametrize(
    ("user", "name"),
    [
        ("alice", "alice_own"),
        ("alice", "service_unassigned"),
        ("carol", "bob_own"),
        ("erin", "dave_own"),
        ("root", "no_department"),
        ("quinn", "dave_own"),
    ],
)
def test_access_case_returns_a_case_inside_the_scope(world, cases, user, name):
    assert access_case(user=getattr(world, user), number=cases[name].number) == cases[name]


def test_access_case_answers_not_found_for_an_unknown_number(world):
    with pytest.raises(NotFound):
        access_case(user=world.root, number="TS20990101000001")


def test_a_customer_gets_their_case_only_with_its_token(world, cases):
    case = cases["alice_own"]
    assert access_case_by_token(number=case.number, token=case.access_token()) == case
    other = cases["bob_own"]
    for number, token in [
        (case.number, ""),
        (case.number, "0" * 40),
        (case.number, other.access_token()),
        (other.number, case.access_token()),
        ("TS20990101000001", case.access_token()),
    ]:
        with pytest.raises(NotFound):
            access_case_by_token(number=number, token=token)


def test_a_case_leaves_an_agents_scope_when_a_colleague_takes_it(world, cases):
    from tingsu.cases.services import Actor, case_assign

    case = cases["service_unassigned"]
    assert access_case(user=world.alice, number=case.number) == case
    case_assign(actor=Actor.staff(world.bob), case=case, assignee=world.bob)
    with pytest.raises(NotFound):
        access_case(user=world.alice, number=case.number)
