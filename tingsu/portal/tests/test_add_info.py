import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Attachment, CaseEvent, EventKind, Status
from tingsu.cases.services import Actor, case_transition
from tingsu.core.testing import make_case
from tingsu.portal.tests.helpers import PNG, resolve, url

pytestmark = pytest.mark.django_db


def test_it_adds_a_customer_message_with_audit_entry(client, world):
    case = make_case(assignee=world.alice, status=Status.IN_PROGRESS)
    data = {"body": "补充：外箱也有破损。"}
    data["attachments"] = [SimpleUploadedFile("box.png", PNG, content_type="image/png")]
    response = client.post(url("portal:add_info", case), data)
    assert response.status_code == 302
    assert response["Location"] == url("portal:track", case)
    event = CaseEvent.objects.get(case=case, kind=EventKind.MESSAGE)
    assert event.author_type == "customer" and event.is_public
    assert event.body == "补充：外箱也有破损。"
    assert Attachment.objects.get(event=event).filename == "box.png"
    audit = AuditEntry.objects.get(action="case.message")
    assert audit.object_id == str(case.pk)
    assert audit.actor_label == f"customer:{case.customer.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "Your information has been added" in page
    assert "补充：外箱也有破损。" in page


def test_it_moves_a_case_waiting_for_the_customer_back_into_progress(client, world):
    case = make_case(assignee=world.alice)
    case_transition(actor=Actor.staff(world.alice), case=case, action="wait_customer")
    client.post(url("portal:add_info", case), {"body": "订单截图已补充。"})
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    transition = CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).last()
    assert transition.data["from"] == Status.WAITING_CUSTOMER
    assert transition.data["to"] == Status.IN_PROGRESS
    assert AuditEntry.objects.filter(action="case.message").count() == 1


def test_it_answers_htmx_with_the_refreshed_activity(client, world):
    case = make_case(assignee=world.alice, status=Status.WAITING_CUSTOMER)
    response = client.post(
        url("portal:add_info", case), {"body": "这是补充说明。"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="portal-activity">')
    assert "这是补充说明。" in body
    assert "Your information has been added" in body
    assert response.context["badge"] == "Being handled"


def test_it_shows_an_empty_message_error_on_the_form(client, world):
    case = make_case()
    response = client.post(url("portal:add_info", case), {"body": "  "})
    assert response.status_code == 200
    assert "body" in response.context["add_form"].errors
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.MESSAGE).exists()


def test_it_rejects_an_exe_upload_and_adds_nothing(client, world):
    case = make_case()
    data = {"body": "附件", "attachments": [SimpleUploadedFile("x.exe", b"MZ0000")]}
    response = client.post(url("portal:add_info", case), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "this file type is not allowed" in response.content.decode()
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.MESSAGE).exists()


def test_it_refuses_information_on_a_closed_case_with_a_message(client, world):
    case = make_case(assignee=world.alice)
    resolve(case, world.alice, world)
    case_transition(actor=Actor.staff(world.alice), case=case, action="close")
    response = client.post(url("portal:add_info", case), {"body": "还有问题"})
    assert response.status_code == 200
    assert "messages can no longer be added" in str(response.context["add_form"].non_field_errors())
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.MESSAGE).exists()
