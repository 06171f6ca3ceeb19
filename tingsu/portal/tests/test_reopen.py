from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import CaseEvent, EventKind, Status
from tingsu.core.testing import make_case
from tingsu.portal.tests.helpers import resolve, url

pytestmark = pytest.mark.django_db


def resolved_case(world):
    case = make_case(assignee=world.alice)
    return resolve(case, world.alice, world)


def test_it_reopens_a_resolved_case_within_the_window(client, world):
    case = resolved_case(world)
    with time_machine.travel(timezone.now() + timedelta(days=6), tick=False):
        response = client.post(url("portal:reopen", case), {"reason": "退款还没到账"})
        assert response["Location"] == url("portal:track", case)
        page = client.get(response["Location"])
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and case.reopen_count == 1
    event = CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).last()
    assert event.data["action"] == "reopen" and event.author_type == "customer"
    assert event.body == "退款还没到账" and event.is_public
    assert AuditEntry.objects.filter(action="case.reopen", object_id=str(case.pk)).exists()
    assert "Your complaint has been reopened" in page.content.decode()


def test_it_refuses_to_reopen_outside_the_window_with_a_message(client, world, settings):
    case = resolved_case(world)
    days = settings.TINGSU["REOPEN_WINDOW_DAYS"]
    with time_machine.travel(timezone.now() + timedelta(days=days + 1), tick=False):
        page = client.get(url("portal:track", case))
        assert not page.context["can_reopen"]
        response = client.post(url("portal:reopen", case), {}, follow=True)
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    assert f"can only be reopened within {days} days" in response.content.decode()
    assert not AuditEntry.objects.filter(action="case.reopen").exists()


def test_it_refuses_to_reopen_an_open_case(client, world):
    case = make_case()
    response = client.post(url("portal:reopen", case), {}, follow=True)
    assert "cannot be moved" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.NEW


def test_it_only_accepts_post(client, world):
    case = resolved_case(world)
    assert client.get(url("portal:reopen", case)).status_code == 405
