import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Case
from tingsu.core.testing import make_case, make_customer
from tingsu.customers.models import Customer
from tingsu.privacy.models import CaseLegalHold

pytestmark = pytest.mark.django_db

TEXT = "联系我 13812341234 或 w@example.com"


def test_export_subject_gives_everything_about_the_customer_as_json(world, capsys):
    customer = make_customer(
        phone="13812341234", email="w@example.com", id_number="11010519491231002X"
    )
    case = make_case(customer=customer, department=world.service, description=TEXT)
    make_case(department=world.service)  # someone else
    call_command("privacy", "export-subject", "--phone", "+86 138 1234 1234")
    data = json.loads(capsys.readouterr().out)
    assert data["customer"]["phone"] == "13812341234"
    assert data["customer"]["id_number"] == "11010519491231002X"
    assert [c["number"] for c in data["cases"]] == [case.number]
    assert data["cases"][0]["description"] == TEXT
    assert data["cases"][0]["events"] and "attachments" in data["cases"][0]
    entry = AuditEntry.objects.get(action="privacy.subject_export")
    assert entry.object_id == str(customer.pk) and entry.changes["cases"] == [case.number]


def test_export_subject_by_email_to_a_file(world, tmp_path):
    customer = make_customer(email="W@Example.com")
    out = tmp_path / "subject.json"
    call_command("privacy", "export-subject", "--email", "w@example.com", "--output", str(out))
    assert json.loads(out.read_text())["customer"]["id"] == customer.pk


def test_an_unknown_subject_is_a_clear_error():
    with translation.override("en"), pytest.raises(CommandError, match="No customer"):
        call_command("privacy", "export-subject", "--phone", "13700000000")
    with translation.override("zh-hans"), pytest.raises(CommandError, match="没有匹配的客户"):
        call_command("privacy", "export-subject", "--phone", "13700000000")


def test_erase_subject_pseudonymises_and_keeps_the_audit_trail(world, capsys):
    customer = make_customer(phone="13812341234", email="w@example.com")
    case = make_case(customer=customer, department=world.service, description=TEXT)
    before = AuditEntry.objects.count()
    call_command("privacy", "erase-subject", "--customer", str(customer.pk))
    assert "pseudonymised=True, 1 cases anonymised" in capsys.readouterr().out
    customer.refresh_from_db()
    assert customer.name.startswith("匿名客户-") and not customer.phone and not customer.email
    case.refresh_from_db()
    assert "13812341234" not in case.description and "w@example.com" not in case.description
    assert AuditEntry.objects.count() > before
    assert AuditEntry.objects.filter(action="privacy.subject_erase", object_id=str(customer.pk))


def test_erase_subject_skips_records_under_legal_hold_and_says_so(world, capsys):
    customer = make_customer(phone="13812341234")
    held = make_case(customer=customer, department=world.service, description=TEXT)
    free = make_case(customer=customer, department=world.service, description=TEXT)
    CaseLegalHold.objects.create(case=held, reason="监管调查")
    call_command("privacy", "erase-subject", "--customer", str(customer.pk))
    out = capsys.readouterr().out
    assert "pseudonymised=False, 1 cases anonymised" in out and held.number in out
    assert Case.objects.get(pk=held.pk).description == TEXT
    assert Case.objects.get(pk=free.pk).description != TEXT
    assert Customer.objects.get(pk=customer.pk).phone == "13812341234"


def test_erase_subject_leaves_a_customer_under_legal_hold_alone(world, capsys):
    customer = make_customer(phone="13812341234", legal_hold=True)
    case = make_case(customer=customer, department=world.service, description=TEXT)
    call_command("privacy", "erase-subject", "--customer", str(customer.pk))
    assert "customer under legal hold" in capsys.readouterr().out
    assert Case.objects.get(pk=case.pk).description == TEXT


def test_the_admin_exports_and_erases_a_selected_customer(world, client):
    customer = make_customer(phone="13812341234")
    make_case(customer=customer, department=world.service)
    client.force_login(world.root)
    url = "/admin/customers/customer/"
    response = client.post(
        url, {"action": "export_personal_data", "_selected_action": [customer.pk]}
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["customer"]["phone"] == "13812341234"
    response = client.post(
        url, {"action": "erase_personal_data", "_selected_action": [customer.pk]}
    )
    assert response.status_code == 302
    assert Customer.objects.get(pk=customer.pk).anonymised_at is not None
