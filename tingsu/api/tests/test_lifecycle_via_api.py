"""The whole complaint lifecycle through the API only: an app files, staff work the case
with their keys, the customer follows and answers through the portal token endpoints."""

import pytest

from tingsu.accounts.models import ApiKeyScope
from tingsu.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def timeline(api, number):
    response = api.get(f"/complaints/{number}/timeline")
    assert response.status_code == 200
    items = response.json()["items"]
    return [(e["kind"], e["data"]["to"] if e["kind"] == "transition" else "") for e in items]


def test_a_complaint_goes_from_intake_to_closed_through_the_api(api_as, anonymous, world):
    app = api_as(None, scopes=[ApiKeyScope.INTAKE])
    supervisor = api_as(world.carol, scopes=[ApiKeyScope.READ, ApiKeyScope.WRITE])
    agent = api_as(world.alice, scopes=[ApiKeyScope.READ, ApiKeyScope.WRITE])

    # 1. Intake from the app.
    filed = app.post(
        "/complaints",
        {
            "customer": {"name": "李雷", "phone": "13900001234"},
            "subject": "收到的电饭煲无法通电",
            "description": "昨天收到的电饭煲插电后没有反应，订单 JD777。",
            "category": "quality",
            "order_number": "JD777",
        },
        headers={"Idempotency-Key": "app-order-JD777"},
    )
    assert filed.status_code == 201
    number, token = filed.json()["number"], filed.json()["token"]
    assert timeline(agent, number) == [("created", "")]

    # 2. It shows in the queue and can be read.
    listed = agent.get("/complaints", {"status": ["new"], "q": "电饭煲"}).json()
    assert [c["number"] for c in listed["items"]] == [number]
    assert agent.get(f"/complaints/{number}").json()["status"] == "new"

    # 3. The supervisor assigns it to alice.
    assigned = supervisor.post(f"/complaints/{number}/assignment", {"assignee": "alice"})
    assert assigned.json()["status"] == "assigned"
    assert timeline(agent, number)[-2:] == [("assigned", ""), ("transition", "assigned")]

    # 4. Alice replies, then waits for the customer.
    reply = agent.post(f"/complaints/{number}/messages", {"body": "请提供电饭煲底部铭牌照片。"})
    assert reply.status_code == 201
    assert timeline(agent, number)[-2:] == [("message", ""), ("transition", "in_progress")]
    waiting = agent.post(f"/complaints/{number}/transitions", {"action": "wait_customer"})
    assert waiting.json()["status"] == "waiting_customer"
    assert timeline(agent, number)[-1] == ("transition", "waiting_customer")

    # 5. The customer sees the reply and adds information through the token endpoint.
    portal = anonymous.get(f"/portal/complaints/{number}", {"token": token}).json()
    assert portal["status"] == "waiting_customer"
    assert "请提供电饭煲底部铭牌照片。" in [e["body"] for e in portal["timeline"]]
    added = anonymous.post(
        f"/portal/complaints/{number}/messages?token={token}", {"body": "铭牌型号 RC-3000。"}
    )
    assert added.status_code == 201
    assert timeline(agent, number)[-2:] == [("message", ""), ("transition", "in_progress")]
    assert agent.get(f"/complaints/{number}").json()["status"] == "in_progress"

    # 6. Alice leaves an internal note the customer never sees, then resolves.
    agent.post(f"/complaints/{number}/messages", {"body": "内部：批次问题", "internal": True})
    resolved = agent.post(
        f"/complaints/{number}/transitions",
        {
            "action": "resolve",
            "resolution_code": "refund",
            "root_cause": "packaging",
            "summary": "已为您全额退款，并补发新机。",
        },
    )
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved"
    assert timeline(agent, number)[-2:] == [("note", ""), ("transition", "resolved")]

    # 7. The customer sees it resolved, with the summary and without the note.
    portal = anonymous.get(f"/portal/complaints/{number}", {"token": token}).json()
    assert portal["status"] == "resolved"
    assert portal["resolution_summary"] == "已为您全额退款，并补发新机。"
    assert "内部：批次问题" not in str(portal)

    # 8. Close.
    closed = agent.post(f"/complaints/{number}/transitions", {"action": "close"})
    assert closed.json()["status"] == "closed" and closed.json()["closed_at"]
    assert timeline(agent, number)[-1] == ("transition", "closed")
    assert anonymous.get(f"/portal/complaints/{number}", {"token": token}).json()["status"] == (
        "closed"
    )

    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "case.create",
        "case.assign",
        "case.message",
        "case.wait_customer",
        "case.note",
        "case.resolve",
        "case.close",
    } <= actions
