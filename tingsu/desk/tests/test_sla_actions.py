"""SLA actions on the case page: extensions (15 -> 30 -> 60 days, the second approved by a
supervisor, the customer told) and the outside-appraisal pause."""

import pytest

from tingsu.audit.models import AuditEntry
from tingsu.channels.models import OutboxMessage
from tingsu.core.testing import make_case
from tingsu.sla.models import (
    ExtensionRequestStatus,
    SlaExtension,
    SlaExtensionRequest,
    SlaPolicy,
    SlaTimer,
    TimerKind,
)

from .conftest import messages_of


@pytest.fixture
def bank_case(world):
    SlaPolicy.objects.filter(key="cn-bank-insurance").update(is_active=True)
    return make_case(department=world.service, assignee=world.alice, category=world.category)


def resolution(case) -> SlaTimer:
    return SlaTimer.objects.get(case=case, kind=TimerKind.RESOLUTION, stopped_at__isnull=True)


def test_an_agent_extends_once_then_a_supervisor_approves_the_second(world, login, bank_case):
    url = f"/desk/cases/{bank_case.number}/sla/extend/"
    page = login(world.alice).get(f"/desk/cases/{bank_case.number}/").content.decode()
    assert 'id="sla-extend-form"' in page
    response = login(world.alice).post(url, {"reason": "需要第三方鉴定"})
    assert response.status_code == 302
    assert resolution(bank_case).extensions == 1
    assert OutboxMessage.objects.filter(case=bank_case, body__contains="需要第三方鉴定").exists()

    login(world.alice).post(url, {"reason": "鉴定机构延期"})
    request = SlaExtensionRequest.objects.get()
    assert request.status == ExtensionRequestStatus.PENDING
    assert resolution(bank_case).extensions == 1  # not yet
    assert AuditEntry.objects.filter(action="sla.extension_request").count() == 1
    page = login(world.alice).get(f"/desk/cases/{bank_case.number}/").content.decode()
    assert "Waiting for a supervisor." in page

    decide = f"/desk/cases/{bank_case.number}/sla/extension-requests/{request.pk}/approve/"
    response = login(world.alice).post(decide)  # an agent cannot approve, not even her own
    assert "supervisor" in " ".join(messages_of(response))
    assert resolution(bank_case).extensions == 1

    response = login(world.carol).post(decide)
    assert "Extension approved." in messages_of(response)
    timer = resolution(bank_case)
    assert timer.extensions == 2
    second = SlaExtension.objects.get(number=2)
    assert second.approved_by == world.carol and second.requested_by == world.alice
    assert second.customer_notified
    request.refresh_from_db()
    assert request.status == ExtensionRequestStatus.APPROVED
    page = login(world.alice).get(f"/desk/cases/{bank_case.number}/").content.decode()
    assert 'id="sla-extend-form"' not in page  # 60 days is the last step


def test_it_rejects_an_extension_without_a_reason_with_a_message(world, login, bank_case):
    response = login(world.alice).post(
        f"/desk/cases/{bank_case.number}/sla/extend/", {"reason": "  "}
    )
    assert response.status_code == 302
    assert messages_of(response) == ["An extension needs a reason."]
    assert not SlaExtension.objects.exists()


def test_a_supervisor_can_reject_a_request(world, login, bank_case):
    login(world.alice).post(f"/desk/cases/{bank_case.number}/sla/extend/", {"reason": "一"})
    login(world.alice).post(f"/desk/cases/{bank_case.number}/sla/extend/", {"reason": "二"})
    request = SlaExtensionRequest.objects.get()
    login(world.carol).post(
        f"/desk/cases/{bank_case.number}/sla/extension-requests/{request.pk}/reject/"
    )
    request.refresh_from_db()
    assert request.status == ExtensionRequestStatus.REJECTED
    assert resolution(bank_case).extensions == 1
    assert AuditEntry.objects.filter(action="sla.extension_reject").count() == 1


def test_a_policy_without_extensions_says_so(world, login):
    case = make_case(department=world.service, assignee=world.alice)
    response = login(world.alice).post(f"/desk/cases/{case.number}/sla/extend/", {"reason": "x"})
    assert messages_of(response) == ["This deadline cannot be extended any further."]


def test_the_pause_is_visible_and_resumes(world, login, alice_case):
    client = login(world.alice)
    base = f"/desk/cases/{alice_case.number}/sla/"
    response = client.post(base + "pause/", {"reason": "等待质检报告"})
    assert messages_of(response) == ["SLA clock paused."]
    assert resolution(alice_case).paused_at is not None
    page = client.get(f"/desk/cases/{alice_case.number}/").content.decode()
    assert 'data-testid="sla-paused"' in page
    assert "等待质检报告" in page
    assert AuditEntry.objects.filter(action="sla.pause").count() == 1
    response = client.post(base + "resume/")
    assert messages_of(response) == ["SLA clock resumed."]
    assert resolution(alice_case).paused_at is None


def test_it_rejects_a_pause_without_a_reason(world, login, alice_case):
    response = login(world.alice).post(
        f"/desk/cases/{alice_case.number}/sla/pause/", {"reason": ""}
    )
    assert messages_of(response) == ["Pausing the SLA clock needs a reason."]
    assert resolution(alice_case).paused_at is None


def test_it_rejects_users_outside_the_case_scope_and_read_only_users(world, login, alice_case):
    url = f"/desk/cases/{alice_case.number}/sla/pause/"
    assert login(world.dave).post(url, {"reason": "x"}).status_code == 404
    response = login(world.quinn).post(url, {"reason": "x"})
    assert response.status_code in (302, 404)
    assert resolution(alice_case).paused_at is None


def test_a_decision_on_a_request_of_another_case_is_not_found(world, login, bank_case):
    other = make_case(department=world.service, assignee=world.alice)
    login(world.alice).post(f"/desk/cases/{bank_case.number}/sla/extend/", {"reason": "一"})
    login(world.alice).post(f"/desk/cases/{bank_case.number}/sla/extend/", {"reason": "二"})
    request = SlaExtensionRequest.objects.get()
    url = f"/desk/cases/{other.number}/sla/extension-requests/{request.pk}/approve/"
    assert login(world.carol).post(url).status_code == 404
    bad = f"/desk/cases/{bank_case.number}/sla/extension-requests/{request.pk}/maybe/"
    assert login(world.carol).post(bad).status_code == 404
