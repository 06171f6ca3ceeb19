import json

from tingsu.cases.models import Case, Channel, Severity
from tingsu.customers.models import Tier
from tingsu.triage.models import RoutingRule

URL = "/admin/triage/routingrule/dry-run/"


def form(**kw):
    return {
        "text": "快递三天没到，我要投诉",
        "channel": Channel.PHONE,
        "category": "",
        "severity": Severity.NORMAL,
        "tier": Tier.VIP,
        "custom_fields": json.dumps({"region": "上海"}),
        **kw,
    }


def test_it_shows_the_matching_rule_and_saves_nothing(world, client):
    RoutingRule.objects.create(
        order=1, name="北京专线", custom_field_key="region", custom_field_value="北京"
    )
    RoutingRule.objects.create(
        order=2,
        name="VIP 电话",
        channels=[Channel.PHONE],
        tiers=[Tier.VIP],
        set_department=world.logistics,
        sla_policy="vip-4h",
    )
    client.force_login(world.root)
    before = (Case.objects.count(), RoutingRule.objects.count())
    response = client.post(URL, form())
    assert response.status_code == 200
    page = response.content.decode()
    assert "VIP 电话" in page and "vip-4h" in page and str(world.logistics) in page
    assert response.context["result"]["winner"].name == "VIP 电话"
    assert (Case.objects.count(), RoutingRule.objects.count()) == before


def test_it_says_when_no_rule_matches(world, client):
    client.force_login(world.root)
    response = client.post(URL, form())
    assert response.context["result"]["winner"] is None


def test_it_shows_bad_json_on_the_form(world, client):
    client.force_login(world.root)
    response = client.post(URL, form(custom_fields="[1"))
    assert response.status_code == 200
    assert response.context["form"].errors["custom_fields"]


def test_it_needs_an_admin_login(world, client):
    assert client.get(URL).status_code == 302
    client.force_login(world.alice)
    assert client.get(URL).status_code == 302


def test_the_rule_list_links_to_the_dry_run(world, client):
    client.force_login(world.root)
    assert URL in client.get("/admin/triage/routingrule/").content.decode()
    assert client.get(URL).status_code == 200
