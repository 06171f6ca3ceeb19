"""Separation of duties: admin configures but cannot edit or erase the audit trail; the
compliance role reads and audits but changes nothing, in the admin included."""

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction

from tingsu.accounts.models import Role
from tingsu.audit.models import AuditEntry
from tingsu.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def entry(world):
    with transaction.atomic():
        return audit_record(actor=world.root, action="test.entry", obj=world.alice)


@pytest.fixture
def staff_quinn(world):
    """A compliance officer given admin access and, by mistake, every permission."""
    world.quinn.is_staff = True
    world.quinn.save()
    world.quinn.user_permissions.set(Permission.objects.all())
    return world.quinn


def test_the_admin_cannot_change_or_delete_an_audit_entry(world, client, entry):
    client.force_login(world.root)
    url = f"/admin/audit/auditentry/{entry.pk}/"
    assert client.get(url + "delete/").status_code == 403
    client.post(url + "change/", {"action": "forged"})
    client.post(
        "/admin/audit/auditentry/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.entry"


def test_compliance_reads_the_admin_but_cannot_change_users_or_config(world, client, staff_quinn):
    client.force_login(staff_quinn)
    assert client.get("/admin/accounts/user/").status_code == 200
    response = client.post(
        f"/admin/accounts/user/{world.alice.pk}/change/",
        {"username": "alice", "role": Role.ADMIN},
    )
    assert response.status_code == 403
    world.alice.refresh_from_db()
    assert world.alice.role == Role.AGENT
    add = client.post("/admin/accounts/department/add/", {"name": "新部门", "code": "new"})
    assert add.status_code == 403


def test_compliance_cannot_act_on_cases_from_the_desk(world, client):
    from tingsu.cases.models import CaseEvent
    from tingsu.core.testing import make_case

    case = make_case(department=world.service)
    events = CaseEvent.objects.filter(case=case).count()
    client.force_login(world.quinn)
    assert client.get(f"/desk/cases/{case.number}/").status_code == 200
    response = client.post(f"/desk/cases/{case.number}/note/", {"body": "x"}, follow=True)
    assert "read-only" in response.content.decode()
    assert CaseEvent.objects.filter(case=case).count() == events
