"""银行保险机构消费投诉处理管理办法: 15 days, extended to 30 then 60 (calendar days)."""

import pytest

from tingsu.channels.models import OutboxMessage
from tingsu.core.errors import TingsuError, ValidationFailed
from tingsu.sla.models import SlaExtension, SlaPolicy, TimerKind
from tingsu.sla.services import sla_timer_extend

from .helpers import at, audits, new_case, sla_events, timer, travel

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank_case(world):
    SlaPolicy.objects.filter(key="cn-bank-insurance").update(is_active=True)
    case = new_case(world, at(2025, 10, 13, 9, 0))
    return case


def test_the_regulatory_templates_are_seeded_switched_off():
    keys = set(SlaPolicy.objects.filter(is_active=False).values_list("key", flat=True))
    assert keys == {"cn-bank-insurance", "cn-12315", "us-cfpb", "uk-fca-disp"}
    assert SlaPolicy.objects.get(key="uk-fca-disp").resolution_value == 56
    assert SlaPolicy.objects.get(key="cn-12315").first_response_unit == "working_days"


def test_a_switched_on_template_sets_a_15_day_deadline(bank_case):
    res = timer(bank_case, TimerKind.RESOLUTION)
    assert res.policy.key == "cn-bank-insurance"
    assert res.due_at == at(2025, 10, 28, 9, 0)
    assert timer(bank_case, TimerKind.FIRST_RESPONSE) is None


def test_it_rejects_an_extension_without_a_reason(world, bank_case):
    with pytest.raises(ValidationFailed):
        sla_timer_extend(timer=timer(bank_case, "resolution"), user=world.alice, reason=" ")
    assert not SlaExtension.objects.exists()


def test_extensions_go_to_30_then_60_days_the_second_with_a_supervisor(world, bank_case):
    res = timer(bank_case, TimerKind.RESOLUTION)
    with travel(at(2025, 10, 20, 10, 0)):
        first = sla_timer_extend(timer=res, user=world.alice, reason="需要第三方鉴定")
    assert first.new_due_at == at(2025, 11, 12, 9, 0)
    assert first.customer_notified
    assert OutboxMessage.objects.filter(case=bank_case, body__contains="需要第三方鉴定").exists()
    assert sla_events(bank_case, "extended").count() == 1
    assert audits(bank_case, "sla.extend").count() == 1
    with pytest.raises(ValidationFailed):
        sla_timer_extend(timer=res, user=world.alice, reason="仍在鉴定")
    with pytest.raises(ValidationFailed):
        sla_timer_extend(timer=res, user=world.alice, reason="仍在鉴定", approved_by=world.bob)
    second = sla_timer_extend(
        timer=res, user=world.alice, reason="仍在鉴定", approved_by=world.carol
    )
    assert second.new_due_at == at(2025, 12, 12, 9, 0)
    assert second.approved_by == world.carol
    assert timer(bank_case, TimerKind.RESOLUTION).due_at == at(2025, 12, 12, 9, 0)
    with pytest.raises(TingsuError):
        sla_timer_extend(timer=res, user=world.alice, reason="再延", approved_by=world.carol)


def test_a_policy_without_extensions_refuses_one(world):
    case = new_case(world, at(2025, 10, 13, 9, 0))
    with pytest.raises(TingsuError):
        sla_timer_extend(timer=timer(case, "resolution"), user=world.alice, reason="理由")
