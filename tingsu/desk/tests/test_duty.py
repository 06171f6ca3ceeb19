"""The duty page: agents set their own status; supervisors their department's agents."""

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Severity, Status
from tingsu.core.testing import make_case
from tingsu.triage.models import AgentProfile

from .conftest import messages_of


def on_duty(user) -> bool:
    return AgentProfile.objects.get(user=user).on_duty


def test_an_agent_going_off_duty_returns_the_unstarted_cases_to_the_pool(world, login):
    new = make_case(department=world.service, assignee=world.alice)
    started = make_case(department=world.service, assignee=world.alice, status=Status.IN_PROGRESS)
    client = login(world.alice)
    response = client.post(f"/desk/duty/{world.alice.pk}/", {"on_duty": "0"})
    assert response.status_code == 302
    assert not on_duty(world.alice)
    new.refresh_from_db()
    started.refresh_from_db()
    assert new.assignee is None and new.department == world.service
    assert started.assignee == world.alice
    assert "1 new case went back to the pool" in " ".join(messages_of(response))
    assert AuditEntry.objects.filter(action="triage.off_duty").count() == 1
    page = client.get("/desk/duty/").content.decode()
    assert 'data-on-duty="0"' in page
    client.post(f"/desk/duty/{world.alice.pk}/", {"on_duty": "1"})
    assert on_duty(world.alice)


def test_the_page_shows_the_agents_own_status_and_load(world, login, django_assert_max_num_queries):
    make_case(department=world.service, assignee=world.alice)
    AgentProfile.objects.create(user=world.alice, capacity=12)
    client = login(world.alice)
    with django_assert_max_num_queries(5):
        page = client.get("/desk/duty/").content.decode()
    assert 'data-testid="my-duty"' in page
    assert "1 / 12" in page
    assert 'data-testid="team-duty"' not in page
    assert 'data-testid="duty-link"' in page


def test_it_rejects_an_agent_toggling_a_colleague(world, login):
    AgentProfile.objects.create(user=world.bob)
    response = login(world.alice).post(f"/desk/duty/{world.bob.pk}/", {"on_duty": "0"})
    assert response.status_code == 404
    assert on_duty(world.bob)


def test_a_supervisor_sees_and_sets_the_departments_agents(
    world, login, django_assert_max_num_queries
):
    for user in (world.alice, world.bob):
        make_case(department=world.service, assignee=user)
    client = login(world.carol)
    # Session, user, the agents, their loads, the nav badge.
    with django_assert_max_num_queries(5):
        page = client.get("/desk/duty/").content.decode()
    assert f'data-agent="{world.alice.pk}"' in page
    assert f'data-agent="{world.bob.pk}"' in page
    assert f'data-agent="{world.dave.pk}"' not in page  # another department
    response = client.post(f"/desk/duty/{world.bob.pk}/", {"on_duty": "0"})
    assert response.status_code == 302
    assert not on_duty(world.bob)


def test_it_rejects_a_supervisor_of_another_department(world, login):
    AgentProfile.objects.create(user=world.alice)
    response = login(world.erin).post(f"/desk/duty/{world.alice.pk}/", {"on_duty": "0"})
    assert response.status_code == 404
    assert on_duty(world.alice)


def test_it_rejects_a_bad_value_with_a_message(world, login):
    AgentProfile.objects.create(user=world.alice)
    response = login(world.alice).post(f"/desk/duty/{world.alice.pk}/", {"on_duty": "maybe"})
    assert response.status_code == 302
    assert messages_of(response) == ["Choose on duty or off duty."]
    assert on_duty(world.alice)


def test_a_compliance_officer_cannot_set_duty(world, login):
    AgentProfile.objects.create(user=world.alice)
    client = login(world.quinn)
    assert client.get("/desk/duty/").status_code == 404
    assert client.post(f"/desk/duty/{world.alice.pk}/", {"on_duty": "0"}).status_code in (
        302,
        404,
    )
    assert on_duty(world.alice)


def test_an_admin_sees_every_agents_load_weighted_by_severity(world, login, settings):
    settings.LANGUAGE_CODE = "en"
    make_case(department=world.service, assignee=world.alice, severity=Severity.MAJOR)
    make_case(department=world.service, assignee=world.alice, severity=Severity.URGENT)
    make_case(department=world.service, assignee=world.alice, status=Status.CLOSED)
    make_case(department=world.logistics, assignee=world.dave)
    page = login(world.root).get("/desk/duty/").content.decode()
    assert 'data-testid="my-duty"' not in page
    rows = {
        agent.pk: page.split(f'data-agent="{agent.pk}"')[1].split("</tr>")[0]
        for agent in (world.alice, world.bob, world.dave)
    }
    # Major 3 + urgent 2; the closed case does not count.
    assert '"load">5 / —' in rows[world.alice.pk] and "(2 open cases)" in rows[world.alice.pk]
    assert '"load">0 / —' in rows[world.bob.pk] and "(0 open cases)" in rows[world.bob.pk]
    assert '"load">1 / —' in rows[world.dave.pk] and "(1 open case)" in rows[world.dave.pk]
