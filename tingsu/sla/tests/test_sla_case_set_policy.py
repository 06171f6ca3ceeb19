"""A policy chosen for an open case: by a routing rule (the triage hook) or by a person.
Deadlines are hand-computed for the mainland China calendar (09:00-18:00)."""

import pytest

from tingsu.cases.models import Severity
from tingsu.cases.services import (
    Actor,
    case_add_message,
    case_transition,
    case_update_fields,
)
from tingsu.core.errors import NotFound
from tingsu.sla.models import SlaCasePolicy, SlaPolicy, TimerKind
from tingsu.sla.services import sla_case_set_policy
from tingsu.triage.models import RoutingRule

from .helpers import at, audits, new_case, sla_events, timer, travel

pytestmark = pytest.mark.django_db

FIRST, RES = TimerKind.FIRST_RESPONSE, TimerKind.RESOLUTION


def test_a_routing_rule_with_an_sla_policy_puts_the_new_complaint_under_it(world):
    RoutingRule.objects.create(name="bank", keywords="理财", sla_policy="us-cfpb")
    case = new_case(world, at(2025, 10, 13, 9, 0), description="理财产品亏损，要求说明。")
    first, res = timer(case, FIRST), timer(case, RES)
    assert first.policy.key == res.policy.key == "us-cfpb"
    assert first.started_at == res.started_at == at(2025, 10, 13, 9, 0)
    assert first.due_at == at(2025, 10, 28, 9, 0)  # 15 calendar days
    assert res.due_at == at(2025, 12, 12, 9, 0)  # 60 calendar days
    assert SlaCasePolicy.objects.get(case=case).reason == "routing"
    assert audits(case, "sla.policy_set").get().changes["policy"] == "us-cfpb"
    assert sla_events(case, "recomputed").count() == 2


def test_a_complaint_no_rule_matches_keeps_the_automatic_policy(world):
    RoutingRule.objects.create(name="bank", keywords="理财", sla_policy="us-cfpb")
    case = new_case(world, at(2025, 10, 13, 9, 0))
    assert timer(case, RES).policy.key == "normal"
    assert not SlaCasePolicy.objects.filter(case=case).exists()


def test_a_policy_change_on_an_open_case_keeps_its_start_and_paused_time(world):
    case = new_case(world, at(2025, 10, 13, 9, 0))
    with travel(at(2025, 10, 13, 10, 0)):
        case_add_message(actor=Actor.staff(world.alice), case=case, body="请补充照片")
    with travel(at(2025, 10, 13, 11, 0)):
        case_transition(actor=Actor.staff(world.alice), case=case, action="wait_customer")
    with travel(at(2025, 10, 14, 11, 0)):
        case_add_message(actor=Actor.customer(case.customer), case=case, body="照片在此")
    assert timer(case, RES).paused_total == 9 * 3600  # one working day
    with travel(at(2025, 10, 15, 9, 0)):
        sla_case_set_policy(case=case, policy="urgent", actor=world.carol, reason="VIP 升级")
    res = timer(case, RES)
    assert res.policy.key == "urgent"
    assert res.started_at == at(2025, 10, 13, 9, 0)
    # 3 working days after Monday (Tue, Wed, Thu 18:00), plus the paused working day.
    assert res.due_at == at(2025, 10, 17, 18, 0)
    entry = audits(case, "sla.policy_set").get()
    assert entry.actor == world.carol and entry.changes["reason"] == "VIP 升级"
    assert audits(case, "sla.recompute").filter(changes__kind=RES).count() == 1


def test_the_chosen_policy_survives_a_later_severity_change(world):
    case = new_case(world, at(2025, 10, 13, 9, 0))
    sla_case_set_policy(case=case, policy="uk-fca-disp", reason="UK customer")
    case_update_fields(
        actor=Actor.staff(world.carol), case=case, changes={"severity": Severity.MAJOR}
    )
    assert timer(case, RES).policy.key == "uk-fca-disp"


def test_a_target_the_new_policy_lacks_stops_that_timer(world):
    case = new_case(world, at(2025, 10, 13, 9, 0))
    with travel(at(2025, 10, 13, 10, 0)):
        sla_case_set_policy(case=case, policy="uk-fca-disp")
    assert timer(case, FIRST).stopped_at == at(2025, 10, 13, 10, 0)
    assert timer(case, RES).due_at == at(2025, 12, 8, 9, 0)  # 56 calendar days
    assert sla_events(case, "stopped").count() == 1


def test_a_case_without_timers_gets_them_from_its_creation(world):
    SlaPolicy.objects.update(is_active=False)
    case = new_case(world, at(2025, 10, 13, 9, 0))
    assert timer(case, RES) is None
    with travel(at(2025, 10, 14, 9, 0)):
        sla_case_set_policy(case=case, policy="normal")
    assert timer(case, FIRST).due_at == at(2025, 10, 13, 17, 0)
    assert timer(case, RES).due_at == at(2025, 10, 20, 18, 0)
    assert sla_events(case, "started").count() == 2


def test_it_rejects_an_unknown_policy_key(world):
    case = new_case(world, at(2025, 10, 13, 9, 0))
    with pytest.raises(NotFound):
        sla_case_set_policy(case=case, policy="nope")
    assert timer(case, RES).policy.key == "normal"
    assert not SlaCasePolicy.objects.filter(case=case).exists()


def test_a_rule_naming_an_unknown_policy_does_not_block_the_complaint(world):
    RoutingRule.objects.create(name="typo", sla_policy="nope", set_department=world.logistics)
    case = new_case(world, at(2025, 10, 13, 9, 0))
    case.refresh_from_db()
    assert case.department == world.logistics
    assert timer(case, RES).policy.key == "normal"
