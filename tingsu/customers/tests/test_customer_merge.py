import pytest

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Case, CaseEvent, EventKind
from tingsu.cases.services import Actor, case_add_message
from tingsu.core.errors import TingsuError, ValidationFailed
from tingsu.core.testing import PASSWORD, make_case, make_customer
from tingsu.customers.merge import customer_merge
from tingsu.customers.models import Customer, Tier


def test_it_moves_the_cases_with_their_timelines(world):
    source = make_customer(name="微信用户")
    target = make_customer(name="张三")
    first = make_case(customer=source)
    case_add_message(actor=Actor.customer(source), case=first, body="还有一张照片")
    second = make_case(customer=source)
    own = make_case(customer=target)
    events_before = CaseEvent.objects.filter(case=first).count()

    result = customer_merge(actor=Actor.staff(world.carol), source=source, target=target)

    assert sorted(result.moved_cases) == sorted([first.number, second.number])
    assert set(Case.objects.filter(customer=target).values_list("number", flat=True)) == {
        first.number,
        second.number,
        own.number,
    }
    # The old timeline is still there, plus one event saying why the customer changed.
    events = list(CaseEvent.objects.filter(case=first).order_by("id"))
    assert len(events) == events_before + 1
    merged = events[-1]
    assert merged.kind == EventKind.FIELD_CHANGED
    assert merged.data["field"] == "customer"
    assert merged.data["old"] == f"微信用户 (#{source.pk})"
    assert merged.data["new"] == f"张三 (#{target.pk})"
    assert "微信用户" in merged.body and "张三" in merged.body
    assert merged.author == world.carol
    assert not merged.is_public
    assert not CaseEvent.objects.filter(case=own, kind=EventKind.FIELD_CHANGED).exists()
    assert AuditEntry.objects.filter(
        action="case.customer_merge", object_id=str(first.pk), actor=world.carol
    ).exists()


def test_it_fills_the_targets_blank_identities_and_keeps_its_own(world):
    source = make_customer(
        phone="13900001111", email="a@example.com", wechat_openid="o-abc", customer_number="C-9"
    )
    target = make_customer(phone="13800002222", email="", wechat_openid="", customer_number="")

    customer_merge(actor=Actor.staff(world.carol), source=source, target=target)

    target.refresh_from_db()
    assert target.phone == "13800002222"
    assert target.email == "a@example.com"
    assert target.wechat_openid == "o-abc"
    assert target.customer_number == "C-9"


def test_it_keeps_the_higher_tier(world):
    source = make_customer(tier=Tier.VIP)
    target = make_customer(tier=Tier.SILVER)
    customer_merge(actor=Actor.staff(world.carol), source=source, target=target)
    target.refresh_from_db()
    assert target.tier == Tier.VIP

    lower = make_customer(tier=Tier.STANDARD)
    customer_merge(actor=Actor.staff(world.carol), source=lower, target=target)
    target.refresh_from_db()
    assert target.tier == Tier.VIP


def test_it_deletes_the_source_and_audits_both_records(world):
    source = make_customer(name="李四", phone="13900003333")
    target = make_customer(name="李四 (会员)")
    make_case(customer=source)

    result = customer_merge(actor=Actor.staff(world.carol), source=source, target=target)

    assert result.source_deleted
    assert not Customer.objects.filter(pk=source.pk).exists()
    on_target = AuditEntry.objects.get(action="customer.merge", object_id=str(target.pk))
    on_source = AuditEntry.objects.get(action="customer.merged_away", object_id=str(source.pk))
    for entry in (on_target, on_source):
        assert entry.actor == world.carol
        assert entry.object_type == "customers.customer"
        # The source's identities survive in the audit trail after it is gone.
        assert entry.changes["source"]["phone"] == "139****3333"  # masked in the trail
        assert len(entry.changes["cases"]) == 1
    assert on_source.changes["into"] == target.pk


def test_it_refuses_to_merge_a_customer_into_itself(world):
    customer = make_customer()
    case = make_case(customer=customer)
    with pytest.raises(ValidationFailed):
        customer_merge(actor=Actor.staff(world.carol), source=customer, target=customer)
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.FIELD_CHANGED).exists()
    assert not AuditEntry.objects.filter(action__startswith="customer.merge").exists()


def test_it_refuses_a_compliance_officer(world):
    source, target = make_customer(), make_customer()
    with pytest.raises(TingsuError):
        customer_merge(actor=Actor.staff(world.quinn), source=source, target=target)
    assert Customer.objects.filter(pk=source.pk).exists()


def test_the_admin_action_merges_two_selected_customers_into_the_oldest(world, client):
    older = make_customer(name="老客户", email="")
    newer = make_customer(name="新客户", email="new@example.com")
    case = make_case(customer=newer)
    client.login(username="root", password=PASSWORD)

    response = client.post(
        "/admin/customers/customer/",
        {"action": "merge_into_oldest", "_selected_action": [older.pk, newer.pk]},
        follow=True,
    )

    assert response.status_code == 200
    case.refresh_from_db()
    assert case.customer_id == older.pk
    older.refresh_from_db()
    assert older.email == "new@example.com"
    assert not Customer.objects.filter(pk=newer.pk).exists()
    assert AuditEntry.objects.filter(action="customer.merge", actor=world.root).exists()


def test_the_admin_action_asks_for_exactly_two_customers(world, client):
    a, b, c = make_customer(), make_customer(), make_customer()
    client.login(username="root", password=PASSWORD)
    response = client.post(
        "/admin/customers/customer/",
        {"action": "merge_into_oldest", "_selected_action": [a.pk, b.pk, c.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]]
    assert Customer.objects.filter(pk__in=[a.pk, b.pk, c.pk]).count() == 3


def test_it_moves_other_records_of_the_person_to_the_target(world):
    from tingsu.cases.models import Channel
    from tingsu.channels.models import InboundRecord

    source, target = make_customer(), make_customer()
    record = InboundRecord.objects.create(channel=Channel.SMS, customer=source, body_excerpt="hi")

    result = customer_merge(actor=Actor.staff(world.carol), source=source, target=target)

    record.refresh_from_db()
    assert record.customer_id == target.pk
    assert result.source_deleted
    entry = AuditEntry.objects.get(action="customer.merge", object_id=str(target.pk))
    assert entry.changes["moved"] == {"channels.inboundrecord.customer": 1}
