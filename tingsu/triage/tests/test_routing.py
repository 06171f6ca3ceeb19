import pytest

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Category, Channel, EventKind, Priority, Severity
from tingsu.core.testing import make_case, make_customer
from tingsu.customers.models import Tier
from tingsu.triage.models import CaseRouting, RoutingRule
from tingsu.triage.routing import Complaint, match_rule, rule_matches
from tingsu.triage.tests.helpers import audits, events


def complaint(**kw):
    return Complaint(**{"text": "杯子碎了", "channel": Channel.PORTAL, **kw})


@pytest.mark.django_db
def test_an_empty_rule_matches_anything():
    assert rule_matches(RoutingRule(name="all"), complaint())


@pytest.mark.django_db
def test_the_channel_condition():
    rule = RoutingRule(name="r", channels=[Channel.PHONE, Channel.SMS])
    assert rule_matches(rule, complaint(channel=Channel.SMS))
    assert not rule_matches(rule, complaint(channel=Channel.EMAIL))


def test_the_category_condition_includes_subcategories(world):
    rule = RoutingRule(name="r", category=world.category)
    assert rule_matches(rule, complaint(category=world.category))
    assert rule_matches(rule, complaint(category=world.subcategory))
    other = Category.objects.create(name="物流", code="logistics")
    assert not rule_matches(rule, complaint(category=other))
    assert not rule_matches(rule, complaint(category=None))
    assert not rule_matches(
        RoutingRule(name="r", category=world.subcategory), complaint(category=world.category)
    )


@pytest.mark.django_db
def test_the_severity_and_tier_conditions():
    rule = RoutingRule(name="r", severities=[Severity.MAJOR], tiers=[Tier.VIP, Tier.GOLD])
    assert rule_matches(rule, complaint(severity=Severity.MAJOR, tier=Tier.GOLD))
    assert not rule_matches(rule, complaint(severity=Severity.NORMAL, tier=Tier.GOLD))
    assert not rule_matches(rule, complaint(severity=Severity.MAJOR, tier=Tier.STANDARD))


@pytest.mark.django_db
def test_the_keyword_condition_matches_any_keyword_ignoring_case():
    rule = RoutingRule(name="r", keywords="快递\nDelivery\n")
    assert rule_matches(rule, complaint(text="快递三天没到"))
    assert rule_matches(rule, complaint(text="late DELIVERY"))
    assert not rule_matches(rule, complaint(text="杯子碎了"))


@pytest.mark.django_db
def test_the_custom_field_condition():
    rule = RoutingRule(name="r", custom_field_key="region", custom_field_value="上海")
    assert rule_matches(rule, complaint(custom_fields={"region": "上海"}))
    assert not rule_matches(rule, complaint(custom_fields={"region": "北京"}))
    assert not rule_matches(rule, complaint(custom_fields={}))


@pytest.mark.django_db
def test_the_first_matching_rule_by_order_wins():
    RoutingRule.objects.create(order=20, name="second", keywords="快递")
    RoutingRule.objects.create(order=10, name="first", keywords="快递")
    RoutingRule.objects.create(order=5, name="inactive", keywords="快递", is_active=False)
    RoutingRule.objects.create(order=1, name="other", keywords="退款")
    assert match_rule(complaint(text="快递没到")).name == "first"
    assert match_rule(complaint(text="别的")) is None


def test_a_matching_rule_routes_a_new_case(world):
    rule = RoutingRule.objects.create(
        name="物流投诉",
        keywords="快递",
        set_department=world.logistics,
        set_priority=Priority.P2,
        add_tags="物流, 快递",
        sla_policy="logistics-48h",
    )
    case = make_case(description="快递三天没到", category=world.category)
    assert case.department == world.logistics
    assert case.priority == Priority.P2
    assert sorted(case.tags.values_list("name", flat=True)) == ["快递", "物流"]
    routing = CaseRouting.objects.get(case=case)
    assert (routing.rule, routing.sla_policy) == (rule, "logistics-48h")
    moved = events(case, EventKind.TRANSFERRED).get()
    assert moved.data["routed"] is True
    assert moved.data["from_label"] == str(world.service)
    assert "物流投诉" in moved.body
    assert audits(case, "case.route").get().changes["to"] == world.logistics.pk
    fields = {e.data["field"] for e in events(case, EventKind.FIELD_CHANGED)}
    assert fields == {"priority", "tags"}
    assert audits(case, "case.update").get().actor_label == "triage"


def test_a_rule_never_lowers_the_priority(world):
    RoutingRule.objects.create(name="low", set_priority=Priority.P4)
    case = make_case(description="普通问题", priority=Priority.P2)
    assert case.priority == Priority.P2


def test_routing_sees_the_risk_raised_severity(world):
    RoutingRule.objects.create(
        name="重大", severities=[Severity.MAJOR], set_department=world.logistics
    )
    case = make_case(customer=make_customer(), description="产品起火了", category=world.category)
    assert case.severity == Severity.MAJOR
    assert case.department == world.logistics


def test_the_sla_hook_setting_is_called_with_the_policy_key(world, settings):
    seen.clear()
    settings.TINGSU_TRIAGE_SLA_HOOK = "tingsu.triage.tests.test_routing.record_policy"
    RoutingRule.objects.create(name="r", sla_policy="vip-4h")
    case = make_case(description="x")
    assert seen == [(case.pk, "vip-4h")]
    assert AuditEntry.objects.filter(action="case.create", object_id=str(case.pk)).exists()


seen: list = []


def record_policy(case, policy):
    seen.append((case.pk, policy))
