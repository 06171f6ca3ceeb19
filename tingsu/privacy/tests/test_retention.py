from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Case, CaseEvent, Status
from tingsu.core.testing import make_case, make_customer
from tingsu.customers.models import Customer
from tingsu.customers.selectors import customer_find_by_phone
from tingsu.privacy import retention
from tingsu.privacy.models import CaseLegalHold, RetentionPolicy
from tingsu.privacy.retention import retention_run

pytestmark = pytest.mark.django_db

TEXT = "我的电话13812341234，身份证11010519491231002X，请回电。"


def closed_case(world, customer, days_ago, **kw):
    case = make_case(customer=customer, department=world.service, description=TEXT, **kw)
    Case.objects.filter(pk=case.pk).update(
        status=Status.CLOSED, closed_at=timezone.now() - timedelta(days=days_ago)
    )
    case.refresh_from_db()
    return case


@pytest.fixture
def policies(world):
    RetentionPolicy.objects.create(category=None, anonymise_after_days=365)
    RetentionPolicy.objects.create(category=world.category, anonymise_after_days=30)


def test_it_anonymises_closed_cases_past_their_category_policy(world, policies):
    customer = make_customer(phone="13812341234", email="w@example.com", name="王女士")
    old = closed_case(world, customer, days_ago=40, category=world.category)
    result = retention_run()
    assert result.cases == [old.number] and result.customers == [customer.pk]
    old.refresh_from_db()
    assert "13812341234" not in old.description and "138****1234" in old.description
    assert "1101**********002X" in old.description
    created = CaseEvent.objects.filter(case=old).exclude(body="")
    assert all("13812341234" not in e.body for e in created)
    customer.refresh_from_db()
    assert customer.name.startswith("匿名客户-") and customer.anonymised_at
    assert (customer.phone, customer.email, customer.phone_index) == ("", "", "")
    assert customer_find_by_phone(phone="13812341234") is None
    assert AuditEntry.objects.filter(action="privacy.case_anonymise", object_id=str(old.pk))
    assert AuditEntry.objects.filter(action="privacy.customer_pseudonymise")
    assert retention_run().cases == []  # done once


def test_it_keeps_recent_cases_open_cases_and_other_categories_on_the_default(world, policies):
    customer = make_customer()
    recent = closed_case(world, customer, days_ago=10, category=world.category)
    other = closed_case(world, customer, days_ago=100)  # no category: the 365-day default
    open_case = make_case(customer=customer, department=world.service)
    assert retention_run().cases == []
    for case in (recent, other, open_case):
        case.refresh_from_db()
        assert case.description in (TEXT, open_case.description)


def test_a_customer_with_cases_left_keeps_their_contact_data(world, policies):
    customer = make_customer(phone="13812341234")
    closed_case(world, customer, days_ago=40, category=world.category)
    make_case(customer=customer, department=world.service)
    result = retention_run()
    assert len(result.cases) == 1 and result.customers == []
    assert Customer.objects.get(pk=customer.pk).phone == "13812341234"


def test_legal_hold_on_a_case_or_customer_keeps_it_untouched(world, policies):
    held_case = closed_case(world, make_customer(), days_ago=400, category=world.category)
    CaseLegalHold.objects.create(case=held_case, reason="诉讼")
    held_customer = make_customer(legal_hold=True)
    closed_case(world, held_customer, days_ago=400)
    assert retention_run().cases == []
    held_case.refresh_from_db()
    assert held_case.description == TEXT


def test_dry_run_lists_without_changing(world, policies, capsys):
    case = closed_case(world, make_customer(), days_ago=40, category=world.category)
    call_command("privacy", "retention", "--dry-run")
    out = capsys.readouterr().out
    assert "Due: 1 cases" in out and case.number in out
    case.refresh_from_db()
    assert case.description == TEXT
    call_command("privacy", "retention")
    assert "Anonymised: 1 cases" in capsys.readouterr().out


def test_without_a_policy_nothing_is_due(world):
    closed_case(world, make_customer(), days_ago=4000)
    assert retention_run().cases == []


def test_the_scheduler_job_runs_and_then_rests_while_idle(world, policies, monkeypatch):
    monkeypatch.setattr(retention, "_idle_until", None)
    closed_case(world, make_customer(), days_ago=40, category=world.category)
    assert retention.retention_claim_due() is True
    assert retention.retention_claim_due() is False
    closed_case(world, make_customer(), days_ago=40, category=world.category)
    assert retention.retention_claim_due() is False  # idle recheck interval
