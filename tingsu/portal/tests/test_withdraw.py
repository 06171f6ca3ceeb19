import pytest

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import CaseEvent, EventKind, Status
from tingsu.core.testing import make_case
from tingsu.portal.tests.helpers import resolve, url

pytestmark = pytest.mark.django_db


def test_it_withdraws_an_open_case_with_a_reason(client, world):
    case = make_case()
    data = {"confirm": "on", "reason": "已和门店协商解决"}
    response = client.post(url("portal:withdraw", case), data, follow=True)
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN and case.closed_at is not None
    event = CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).last()
    assert event.data["action"] == "withdraw" and event.author_type == "customer"
    assert event.body == "已和门店协商解决"
    assert AuditEntry.objects.filter(action="case.withdraw", object_id=str(case.pk)).exists()
    body = response.content.decode()
    assert "Your complaint has been withdrawn" in body
    assert "You withdrew this complaint" in body


def test_it_needs_the_confirmation_box(client, world):
    case = make_case()
    response = client.post(url("portal:withdraw", case), {"reason": "不想等了"}, follow=True)
    case.refresh_from_db()
    assert case.status == Status.NEW
    assert "Please tick the box to confirm" in response.content.decode()
    assert not AuditEntry.objects.filter(action="case.withdraw").exists()


def test_it_refuses_to_withdraw_a_resolved_case(client, world):
    case = resolve(make_case(assignee=world.alice), world.alice, world)
    response = client.post(url("portal:withdraw", case), {"confirm": "on"}, follow=True)
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    assert "cannot be moved" in response.content.decode()
