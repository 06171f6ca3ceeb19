"""An agent's extension request reaches the department's supervisors, and the decision
reaches the agent: in the desk's notification list and by email where the user has one."""

import pytest

from tingsu.channels.models import OutboxMessage, StaffNotification, StaffNotificationKind
from tingsu.core.testing import make_case
from tingsu.sla.extensions import sla_extension_decide, sla_extension_request
from tingsu.sla.models import SlaPolicy, SlaTimer, TimerKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def timer(world):
    for user in (world.alice, world.carol):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    SlaPolicy.objects.filter(key="cn-bank-insurance").update(is_active=True)
    case = make_case(department=world.service, assignee=world.alice, category=world.category)
    return SlaTimer.objects.get(case=case, kind=TimerKind.RESOLUTION)


def notices(user, kind):
    return list(StaffNotification.objects.filter(user=user, kind=kind))


def test_the_supervisor_hears_of_a_request_waiting_for_approval(world, timer):
    sla_extension_request(timer=timer, user=world.alice, reason="需要第三方鉴定")
    assert not notices(world.carol, StaffNotificationKind.EXTENSION_REQUESTED)  # granted at once
    request = sla_extension_request(timer=timer, user=world.alice, reason="鉴定机构延期")
    [notice] = notices(world.carol, StaffNotificationKind.EXTENSION_REQUESTED)
    assert notice.case == timer.case
    assert not notices(world.alice, StaffNotificationKind.EXTENSION_REQUESTED)  # the asker
    mail = OutboxMessage.objects.get(recipient="carol@example.com")
    assert mail.subject == f"【延期待审批】工单 {timer.case.number}"
    assert "鉴定机构延期" in mail.body
    assert request.requested_by == world.alice


@pytest.mark.parametrize("approve", [True, False])
def test_the_agent_hears_the_decision(world, timer, approve):
    sla_extension_request(timer=timer, user=world.alice, reason="一")
    request = sla_extension_request(timer=timer, user=world.alice, reason="二")
    sla_extension_decide(request=request, user=world.carol, approve=approve)
    [notice] = notices(world.alice, StaffNotificationKind.EXTENSION_DECIDED)
    assert notice.case == timer.case
    mail = OutboxMessage.objects.get(recipient="alice@example.com")
    assert mail.subject == f"【延期审批结果】工单 {timer.case.number}"
    assert "Carol" in mail.body
