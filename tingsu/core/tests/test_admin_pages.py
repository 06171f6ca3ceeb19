import pytest
from django.urls import reverse

from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db

CONFIG_MODELS = [
    "accounts/department",
    "accounts/team",
    "accounts/user",
    "accounts/apikey",
    "cases/category",
    "cases/resolutioncode",
    "cases/rootcause",
    "cases/tag",
    "customers/customer",
    "cases/case",
    "audit/auditentry",
]


@pytest.mark.parametrize("model", CONFIG_MODELS)
def test_an_admin_can_open_every_configuration_list(client, world, model):
    make_case(category=world.category)
    client.force_login(world.root)
    response = client.get(f"/admin/{model}/")
    assert response.status_code == 200


def test_an_admin_can_add_a_category_under_a_parent(client, world):
    client.force_login(world.root)
    response = client.post(
        "/admin/cases/category/add/",
        {
            "name": "划痕",
            "code": "quality-scratch",
            "parent": world.category.pk,
            "default_department": world.service.pk,
            "is_active": "on",
            "sort_order": 0,
        },
    )
    assert response.status_code == 302
    assert world.category.children.filter(name="划痕").exists()


def test_it_rejects_a_non_staff_user_from_admin(client, world):
    client.force_login(world.alice)
    response = client.get("/admin/cases/category/")
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_audit_entries_cannot_be_edited_in_admin(client, world):
    case = make_case()
    client.force_login(world.root)
    from tingsu.audit.models import AuditEntry

    entry = AuditEntry.objects.get(object_id=str(case.pk))
    response = client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"action": "x"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.action == "case.create"


def test_healthz_answers_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
