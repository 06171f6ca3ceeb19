"""Reads: the queue's tabs and filters stay inside the data scope."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tingsu.cases.models import Case, Channel, Severity, Status
from tingsu.cases.selectors import (
    CaseFilters,
    QueueTab,
    case_list,
    case_timeline,
    customer_case_count,
    customer_other_cases,
)
from tingsu.cases.services import Actor, case_add_message, case_add_note
from tingsu.core.testing import make_case, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):
    return {
        "alice_own": make_case(department=world.service, assignee=world.alice),
        "bob_own": make_case(department=world.service, assignee=world.bob),
        "service_unassigned": make_case(department=world.service),
        "logistics_unassigned": make_case(department=world.logistics),
    }


def names(qs, cases):
    pks = {c.pk for c in qs}
    return {name for name, case in cases.items() if case.pk in pks}


@pytest.mark.parametrize(
    ("user", "tab", "expected"),
    [
        ("alice", QueueTab.MINE, {"alice_own"}),
        ("alice", QueueTab.UNASSIGNED, {"service_unassigned"}),
        # An agent's department tab never widens their scope.
        ("alice", QueueTab.DEPARTMENT, {"alice_own", "service_unassigned"}),
        ("alice", QueueTab.ALL, {"alice_own", "service_unassigned"}),
        ("carol", QueueTab.DEPARTMENT, {"alice_own", "bob_own", "service_unassigned"}),
        ("carol", QueueTab.ALL, {"alice_own", "bob_own", "service_unassigned"}),
        ("erin", QueueTab.UNASSIGNED, {"logistics_unassigned"}),
        (
            "root",
            QueueTab.ALL,
            {"alice_own", "bob_own", "service_unassigned", "logistics_unassigned"},
        ),
    ],
)
def test_each_tab_lists_only_cases_in_scope(world, cases, user, tab, expected):
    qs = case_list(user=getattr(world, user), filters=CaseFilters(tab=tab))
    assert names(qs, cases) == expected


def test_filters_narrow_the_list(world):
    phone = make_case(
        department=world.service,
        channel=Channel.PHONE,
        severity=Severity.MAJOR,
        subject="空调漏水",
        order_number="JD-778899",
    )
    make_case(department=world.service, category=world.subcategory)
    Case.objects.filter(pk=phone.pk).update(status=Status.IN_PROGRESS)
    carol = world.carol

    def listed(**kw):
        return [c.number for c in case_list(user=carol, filters=CaseFilters(**kw))]

    assert listed(channel=Channel.PHONE) == [phone.number]
    assert listed(severity=Severity.MAJOR) == [phone.number]
    assert listed(status=[Status.IN_PROGRESS]) == [phone.number]
    assert listed(text="漏水") == [phone.number]
    assert listed(text="778899") == [phone.number]
    assert len(listed(category=world.category.pk)) == 1  # children of a parent category
    assert len(listed(open_only=True)) == 2


def test_the_date_range_is_in_local_days(world):
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        old = make_case(department=world.service)
    new = make_case(department=world.service)
    today = timezone.localdate()
    filters = CaseFilters(date_from=today - timedelta(days=1), date_to=today)
    assert [c.pk for c in case_list(user=world.carol, filters=filters)] == [new.pk]
    filters = CaseFilters(date_to=today - timedelta(days=5))
    assert [c.pk for c in case_list(user=world.carol, filters=filters)] == [old.pk]


def test_the_customer_panel_hides_cases_outside_the_scope(world):
    customer = make_customer()
    here = make_case(customer=customer, department=world.service)
    seen = make_case(customer=customer, department=world.service)
    hidden = make_case(customer=customer, department=world.logistics)
    others = customer_other_cases(user=world.alice, case=here)
    assert others == [seen]
    assert hidden not in others
    assert customer_case_count(case=here) == 3


def test_the_public_timeline_leaves_out_internal_notes(world):
    case = make_case(department=world.service, assignee=world.alice)
    case_add_note(actor=Actor.staff(world.alice), case=case, body="内部备注")
    case_add_message(actor=Actor.staff(world.alice), case=case, body="您好")
    public = [e.kind for e in case_timeline(case=case, public_only=True)]
    assert "note" not in public and "message" in public and "assigned" not in public
    full = [e.kind for e in case_timeline(case=case, public_only=False)]
    assert "note" in full and "assigned" in full
