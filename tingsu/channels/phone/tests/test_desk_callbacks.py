"""The desk's call-back list: calls without a transcript waiting to be returned."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tingsu.audit.models import AuditEntry
from tingsu.channels.phone.models import CallbackStatus, CallbackTask
from tingsu.channels.phone.tests.test_desk_phone_new import make_callback

pytestmark = pytest.mark.django_db
LIST = "/desk/callbacks/"


def listed(response) -> set[int]:
    import re

    return {int(n) for n in re.findall(r'data-callback="(\d+)"', response.content.decode())}


def test_an_agent_sees_their_own_their_departments_and_unrouted_call_backs(world, client):
    mine = make_callback(assignee=world.alice, department=world.service)
    dept = make_callback(department=world.service)
    unrouted = make_callback()
    bobs = make_callback(assignee=world.bob, department=world.service)
    other = make_callback(department=world.logistics)
    make_callback(status=CallbackStatus.DONE)
    client.force_login(world.alice)

    response = client.get(LIST)

    assert response.status_code == 200
    assert listed(response) == {mine.pk, dept.pk, unrouted.pk}
    assert bobs.pk not in listed(response) and other.pk not in listed(response)


def test_a_supervisor_sees_the_department_and_an_admin_sees_all(world, client):
    service = make_callback(assignee=world.bob, department=world.service)
    logistics = make_callback(department=world.logistics)
    client.force_login(world.carol)
    assert listed(client.get(LIST)) == {service.pk}
    client.force_login(world.root)
    assert listed(client.get(LIST)) == {service.pk, logistics.pk}


def test_overdue_call_backs_are_marked(world, client):
    make_callback(due_at=timezone.now() - timedelta(minutes=5))
    client.force_login(world.alice)
    assert "overdue" in client.get(LIST).content.decode()


def test_the_list_runs_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    for _ in range(5):
        make_callback(assignee=world.alice, department=world.service)
    client.force_login(world.alice)
    client.get(LIST)
    # +1: the viewer's permissions, read once, decide whether numbers are masked.
    with django_assert_max_num_queries(7):
        assert len(listed(client.get(LIST))) == 5


def test_an_agent_marks_a_call_back_done(world, client):
    task = make_callback(assignee=world.alice)
    client.force_login(world.alice)

    response = client.post(f"/desk/callbacks/{task.pk}/done/")

    assert response.status_code == 302 and response["Location"] == LIST
    task.refresh_from_db()
    assert task.status == CallbackStatus.DONE and task.done_by == world.alice
    assert task.done_at is not None and task.case is None
    audit = AuditEntry.objects.get(action="callback.done")
    assert audit.object_id == str(task.pk) and audit.actor == world.alice
    assert task.pk not in listed(client.get(LIST))


def test_it_refuses_to_mark_a_call_back_done_twice(world, client):
    task = make_callback(assignee=world.alice)
    client.force_login(world.alice)
    client.post(f"/desk/callbacks/{task.pk}/done/")
    response = client.post(f"/desk/callbacks/{task.pk}/done/", follow=True)
    assert "already done" in response.content.decode()
    assert AuditEntry.objects.filter(action="callback.done").count() == 1


def test_it_rejects_a_call_back_outside_the_agents_scope(world, client):
    task = make_callback(assignee=world.dave, department=world.logistics)
    client.force_login(world.alice)
    assert client.post(f"/desk/callbacks/{task.pk}/done/").status_code == 404
    assert CallbackTask.objects.get(pk=task.pk).status == CallbackStatus.OPEN


def test_it_rejects_a_compliance_officer_marking_done(world, client):
    task = make_callback()
    client.force_login(world.quinn)
    response = client.post(f"/desk/callbacks/{task.pk}/done/", follow=True)
    assert "read-only" in response.content.decode()
    assert CallbackTask.objects.get(pk=task.pk).status == CallbackStatus.OPEN
    assert not AuditEntry.objects.filter(action="callback.done").exists()


def test_it_rejects_get_on_done(world, client):
    task = make_callback()
    client.force_login(world.alice)
    assert client.get(f"/desk/callbacks/{task.pk}/done/").status_code == 405
