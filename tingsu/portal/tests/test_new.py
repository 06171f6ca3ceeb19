import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Attachment, Case, CaseEvent, Channel, EventKind
from tingsu.customers.models import Customer
from tingsu.portal.forms import ComplaintForm
from tingsu.portal.tests.helpers import PNG, complaint_data, url

pytestmark = pytest.mark.django_db
NEW = reverse("portal:new")


def test_it_shows_the_form_with_a_fresh_idempotency_key(client, world):
    first = client.get(NEW)
    second = client.get(NEW)
    assert first.status_code == 200
    keys = [
        re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', r.content.decode())[1]
        for r in (first, second)
    ]
    assert keys[0] != keys[1]


def test_it_lists_active_categories_as_parent_and_child(client, world):
    world.category.children.create(name="停用", code="off", is_active=False)
    body = client.get(NEW).content.decode()
    assert "商品质量 / 破损" in body
    assert "停用" not in body


def test_it_files_a_complaint_with_customer_timeline_and_audit(client, world):
    data = complaint_data(category=world.subcategory.pk, email="xm@example.com")
    data["attachments"] = [SimpleUploadedFile("photo.png", PNG, content_type="image/png")]
    response = client.post(NEW, data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("portal:submitted", case)
    assert case.channel == Channel.PORTAL
    assert case.category == world.subcategory
    assert case.department == world.service
    assert case.order_number == "JD-1001"
    assert case.customer.name == "王小明" and case.customer.phone == "+8613912345678"
    event = CaseEvent.objects.get(case=case)
    assert event.kind == EventKind.CREATED and event.is_public
    assert event.author_type == "customer"
    attachment = Attachment.objects.get(case=case)
    assert attachment.filename == "photo.png" and attachment.event == event
    audit = AuditEntry.objects.get(action="case.create")
    assert audit.object_id == str(case.pk)
    assert audit.actor_label == f"customer:{case.customer.pk}"


def test_it_returns_the_same_case_when_the_form_is_resubmitted(client, world):
    data = complaint_data()
    first = client.post(NEW, data)
    second = client.post(NEW, data)
    assert Case.objects.count() == 1
    assert Customer.objects.count() == 1
    assert CaseEvent.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]


def test_it_reuses_a_known_customer(client, world):
    client.post(NEW, complaint_data())
    client.post(NEW, complaint_data(name="王先生"))
    assert Case.objects.count() == 2
    assert Customer.objects.count() == 1


def test_it_rejects_a_complaint_without_phone_or_email(client, world):
    response = client.post(NEW, complaint_data(phone="", email=""))
    assert response.status_code == 200
    assert "Please give a mobile phone number or an email address" in str(
        response.context["form"].non_field_errors()
    )
    assert Case.objects.count() == 0 and Customer.objects.count() == 0


def test_it_shows_the_missing_contact_message_on_the_page(client, world, settings):
    settings.LANGUAGE_CODE = "en"
    response = client.post(NEW, complaint_data(phone="", email=""), HTTP_ACCEPT_LANGUAGE="en")
    assert "Please give a mobile phone number or an email address" in response.content.decode()


def test_it_rejects_a_ten_megabyte_description_and_saves_nothing(client, world):
    response = client.post(NEW, complaint_data(description="a" * (10 * 1024 * 1024)))
    assert response.status_code == 200
    errors = response.context["form"].errors["description"]
    assert "20000" in errors[0] and str(10 * 1024 * 1024) in errors[0]
    assert Case.objects.count() == 0 and Customer.objects.count() == 0


def test_it_rejects_an_exe_upload_and_saves_nothing(client, world):
    data = complaint_data()
    data["attachments"] = [
        SimpleUploadedFile("photo.png", PNG, content_type="image/png"),
        SimpleUploadedFile("setup.exe", b"MZ" + b"0" * 64, content_type="application/x-msdos"),
    ]
    response = client.post(NEW, data)
    assert response.status_code == 200
    errors = response.context["form"].errors["attachments"]
    assert any("setup.exe" in e for e in errors)
    assert Case.objects.count() == 0 and Customer.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_it_rejects_an_exe_renamed_to_a_picture(client, world):
    data = complaint_data()
    data["attachments"] = [SimpleUploadedFile("photo.jpg", b"MZ" + b"0" * 64)]
    response = client.post(NEW, data)
    assert "attachments" in response.context["form"].errors
    assert Case.objects.count() == 0


def test_it_rolls_back_the_customer_when_the_service_refuses_the_case(client, world, monkeypatch):
    # Skip the form's own file check so the refusal comes from case_create itself.
    monkeypatch.setattr(
        ComplaintForm, "clean_attachments", lambda self: self.cleaned_data["attachments"]
    )
    data = complaint_data()
    data["attachments"] = [SimpleUploadedFile("setup.exe", b"MZ" + b"0" * 64)]
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert any("setup.exe" in e for e in response.context["form"].errors["attachments"])
    assert Case.objects.count() == 0 and Customer.objects.count() == 0


def test_it_rejects_a_missing_idempotency_key(client, world):
    response = client.post(NEW, complaint_data(idempotency_key=""))
    assert response.status_code == 200
    assert "idempotency_key" in response.context["form"].errors
    assert Case.objects.count() == 0
