"""The duty page: agents set their own status; supervisors their department's agents."""

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Status
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


def test_the_page_shows_the_agents_own_status_and_load(world, login):
    make_case(department=world.service, assignee=world.alice)
    AgentProfile.objects.create(user=world.alice, capacity=12)
    page = login(world.alice).get("/desk/duty/").content.decode()
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
    with django_assert_max_num_queries(8):
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
