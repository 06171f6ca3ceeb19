"""Data scopes: one mechanism (case_scope_q) for own, team, department and all, plus
category limits; the role defaults keep the behaviour every other test relies on."""

import pytest

from tingsu.accounts.models import DataScope, Team
from tingsu.cases.models import Category
from tingsu.cases.permissions import scoped_cases
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):
    team = Team.objects.create(department=world.service, name="A组")
    world.alice.team = team
    world.bob.team = team
    world.alice.save()
    world.bob.save()
    finance = Category.objects.create(name="金融", code="finance")
    loans = Category.objects.create(name="贷款", code="finance-loans", parent=finance)
    return {
        "alice": make_case(department=world.service, assignee=world.alice),
        "bob": make_case(department=world.service, assignee=world.bob),
        "carol": make_case(department=world.service, assignee=world.carol),
        "pool": make_case(department=world.service),
        "logistics": make_case(department=world.logistics, assignee=world.dave),
        "finance": make_case(department=world.service, assignee=world.alice, category=finance),
        "loans": make_case(department=world.logistics, category=loans),
        "_finance": finance,
    }


def visible(user, cases) -> set[str]:
    names = {c.pk: name for name, c in cases.items() if not name.startswith("_")}
    return {names[pk] for pk in scoped_cases(user).values_list("pk", flat=True)}


def test_the_role_defaults_are_own_department_and_all(world, cases):
    assert visible(world.alice, cases) == {"alice", "pool", "finance"}
    assert visible(world.carol, cases) == {"alice", "bob", "carol", "pool", "finance"}
    assert visible(world.erin, cases) == {"logistics", "loans"}
    everything = {n for n in cases if not n.startswith("_")}
    assert visible(world.root, cases) == everything
    assert visible(world.quinn, cases) == everything


def test_team_scope_adds_the_teammates_cases(world, cases):
    world.alice.data_scope = DataScope.TEAM
    assert visible(world.alice, cases) == {"alice", "bob", "pool", "finance"}


def test_department_and_all_scopes_widen_an_agent(world, cases):
    world.alice.data_scope = DataScope.DEPARTMENT
    assert visible(world.alice, cases) == {"alice", "bob", "carol", "pool", "finance"}
    world.alice.data_scope = DataScope.ALL
    assert "logistics" in visible(world.alice, cases)


def test_own_scope_narrows_a_supervisor(world, cases):
    world.carol.data_scope = DataScope.OWN
    assert visible(world.carol, cases) == {"carol", "pool"}


def test_a_category_limit_keeps_only_those_categories_and_their_children(world, cases):
    world.quinn.scope_categories.add(cases["_finance"])
    assert visible(world.quinn, cases) == {"finance", "loans"}
    world.alice.scope_categories.add(cases["_finance"])
    assert visible(world.alice, cases) == {"finance"}


def test_a_category_limited_user_gets_404_on_the_desk_for_other_cases(world, cases, client):
    world.quinn.scope_categories.add(cases["_finance"])
    client.force_login(world.quinn)
    assert client.get(f"/desk/cases/{cases['finance'].number}/").status_code == 200
    assert client.get(f"/desk/cases/{cases['alice'].number}/").status_code == 404
    queue = client.get("/desk/?tab=all").content.decode()
    assert cases["finance"].number in queue and cases["alice"].number not in queue


def test_an_inactive_user_sees_nothing(world, cases):
    world.root.is_active = False
    assert visible(world.root, cases) == set()
