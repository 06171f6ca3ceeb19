import pytest

from tingsu.api.tests.conftest import assert_error
from tingsu.audit.models import AuditEntry
from tingsu.cases.models import AuthorType, EventKind, Status
from tingsu.cases.services import Actor, case_add_message, case_add_note
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db


def url(case, suffix=""):
    return f"/portal/complaints/{case.number}{suffix}"


def test_the_customer_sees_status_and_the_public_timeline(anonymous, world):
    case = make_case(category=world.category, assignee=world.alice)
    case_add_message(actor=Actor.staff(world.alice), case=case, body="您好，我们正在处理。")
    case_add_note(actor=Actor.staff(world.alice), case=case, body="内部：客户情绪激动")
    response = anonymous.get(url(case), {"token": case.access_token()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == case.number and body["status"] == "in_progress"
    kinds = [e["kind"] for e in body["timeline"]]
    assert "note" not in kinds and "assigned" not in kinds
    assert "内部：客户情绪激动" not in response.content.decode()
    reply = next(e for e in body["timeline"] if e["kind"] == "message")
    assert reply["author_type"] == "staff" and reply["body"] == "您好，我们正在处理。"
    assert "is_public" not in reply and "id" not in reply


def test_it_hides_internal_codes_from_the_customer(anonymous, api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    api_as(world.alice).post(
        f"/complaints/{case.number}/transitions",
        {
            "action": "resolve",
            "resolution_code": "refund",
            "root_cause": "packaging",
            "summary": "已退款",
        },
    )
    body = anonymous.get(url(case), {"token": case.access_token()}).json()
    resolved = body["timeline"][-1]
    assert resolved["data"] == {"from": "assigned", "to": "resolved", "action": "resolve"}
    assert "packaging" not in str(body)


@pytest.mark.parametrize("token", ["", "0" * 40, "not-a-token"])
def test_it_rejects_a_wrong_or_missing_token_as_not_found(anonymous, world, token):
    case = make_case(category=world.category)
    assert_error(anonymous.get(url(case), {"token": token}), 404, "not_found")


def test_it_rejects_the_token_of_another_case(anonymous, world):
    mine = make_case(category=world.category)
    theirs = make_case(category=world.category)
    response = anonymous.get(url(theirs), {"token": mine.access_token()})
    assert_error(response, 404, "not_found")


def test_the_customer_adds_information(anonymous, world):
    case = make_case(category=world.category, assignee=world.alice, status=Status.WAITING_CUSTOMER)
    response = anonymous.post(
        f"{url(case, '/messages')}?token={case.access_token()}", {"body": "补充：订单号 JD9"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["author_type"] == "customer"
    event = case.events.filter(kind=EventKind.MESSAGE).get()
    assert event.author_type == AuthorType.CUSTOMER and event.is_public
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert AuditEntry.objects.filter(action="case.message", changes__event=event.pk).exists()


def test_it_writes_nothing_for_a_wrong_token(anonymous, world):
    case = make_case(category=world.category)
    response = anonymous.post(f"{url(case, '/messages')}?token={'0' * 40}", {"body": "冒充"})
    assert_error(response, 404, "not_found")
    assert not case.events.filter(kind=EventKind.MESSAGE).exists()


def test_it_rejects_an_empty_message(anonymous, world):
    case = make_case(category=world.category)
    response = anonymous.post(f"{url(case, '/messages')}?token={case.access_token()}", {"body": ""})
    assert_error(response, 422, "validation_error")
