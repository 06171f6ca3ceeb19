"""The SLA actions over the API: read the deadlines, pause and resume the resolution clock,
extend under a regulatory policy (the second extension waits for a supervisor), decide."""

import pytest

from tingsu.api.tests.conftest import assert_error
from tingsu.audit.models import AuditEntry
from tingsu.channels.models import StaffNotification, StaffNotificationKind
from tingsu.core.testing import make_case
from tingsu.sla.models import ExtensionRequestStatus, SlaPolicy, SlaTimer, TimerKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank_case(world):
    SlaPolicy.objects.filter(key="cn-bank-insurance").update(is_active=True)
    return make_case(department=world.service, assignee=world.alice, category=world.category)


def resolution(case) -> SlaTimer:
    return SlaTimer.objects.get(case=case, kind=TimerKind.RESOLUTION)


def test_it_lists_the_deadlines(api_as, world, bank_case):
    response = api_as(world.alice).get(f"/complaints/{bank_case.number}/sla")
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["case"] == bank_case.number
    kinds = {t["kind"]: t for t in out["timers"]}
    assert kinds["resolution"]["policy"] == "cn-bank-insurance"
    assert kinds["resolution"]["extensions"] == 0 and out["extension_requests"] == []


def test_pause_then_resume_moves_the_deadline_by_the_paused_time(api_as, world, bank_case):
    api = api_as(world.alice)
    url = f"/complaints/{bank_case.number}/sla"
    response = api.post(f"{url}/pause", {"reason": "等待第三方鉴定报告"})
    assert response.status_code == 200, response.content
    assert response.json()["result"] == "paused"
    assert resolution(bank_case).paused_at is not None
    assert api.post(f"{url}/pause", {"reason": "again"}).json()["result"] == "unchanged"
    response = api.post(f"{url}/resume")
    assert response.json()["result"] == "resumed"
    assert resolution(bank_case).paused_at is None
    assert api.post(f"{url}/resume").json()["result"] == "unchanged"


def test_a_pause_needs_a_reason(api_as, world, bank_case):
    response = api_as(world.alice).post(f"/complaints/{bank_case.number}/sla/pause", {})
    assert_error(response, 422, "validation_error")
    assert resolution(bank_case).paused_at is None


def test_extend_then_a_supervisor_approves_the_second(api_as, world, bank_case):
    url = f"/complaints/{bank_case.number}/sla"
    first = api_as(world.alice).post(f"{url}/extensions", {"reason": "需要第三方鉴定"})
    assert first.status_code == 200, first.content
    assert first.json()["result"] == "extended"
    assert resolution(bank_case).extensions == 1

    second = api_as(world.alice).post(f"{url}/extensions", {"reason": "鉴定机构延期"})
    assert second.json()["result"] == "requested"
    [waiting] = second.json()["extension_requests"]
    assert waiting["status"] == "pending" and waiting["requested_by"] == "alice"
    assert StaffNotification.objects.filter(
        user=world.carol, kind=StaffNotificationKind.EXTENSION_REQUESTED
    ).exists()
    again = api_as(world.alice).post(f"{url}/extensions", {"reason": "催一下"})
    assert_error(again, 409, "invalid_transition")

    decide = f"{url}/extension-requests/{waiting['id']}/decision"
    refused = api_as(world.alice).post(decide, {"decision": "approve"})
    assert refused.status_code == 403
    assert resolution(bank_case).extensions == 1

    approved = api_as(world.carol).post(decide, {"decision": "approve"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["result"] == "approved"
    assert approved.json()["extension_requests"][0]["status"] == ExtensionRequestStatus.APPROVED
    assert resolution(bank_case).extensions == 2
    assert AuditEntry.objects.filter(action="sla.extend").count() == 2
    twice = api_as(world.carol).post(decide, {"decision": "reject"})
    assert_error(twice, 409, "invalid_transition")


def test_unknown_requests_bad_decisions_and_other_scopes_are_refused(api_as, world, bank_case):
    url = f"/complaints/{bank_case.number}/sla"
    assert_error(
        api_as(world.carol).post(f"{url}/extension-requests/999/decision", {"decision": "approve"}),
        404,
        "not_found",
    )
    assert_error(
        api_as(world.carol).post(f"{url}/extension-requests/1/decision", {"decision": "maybe"}),
        422,
        "validation_error",
    )
    assert_error(api_as(world.dave).get(url), 404, "not_found")  # another department
    read_only = api_as(world.alice, scopes=["read"])
    assert read_only.post(f"{url}/pause", {"reason": "x"}).status_code == 403
    assert resolution(bank_case).paused_at is None


def test_a_case_without_a_running_resolution_deadline_cannot_be_extended(api_as, world):
    case = make_case(department=world.service, assignee=world.alice, category=world.category)
    SlaTimer.objects.filter(case=case).delete()
    response = api_as(world.alice).post(
        f"/complaints/{case.number}/sla/extensions", {"reason": "x"}
    )
    assert_error(response, 409, "invalid_transition")
