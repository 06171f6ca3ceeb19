"""POST /channels/email/inbound: a raw MIME message from a mail server's pipe."""

import pytest

from tingsu.cases.models import Case, CaseEvent, EventKind
from tingsu.channels.models import InboundRecord, InboundStatus

URL = "/channels/email/inbound"
TOKEN = "s3cret-token-for-the-mail-pipe"
RAW = (
    "From: 李雷 <lilei@example.com>\r\nTo: kefu@tingsu.example\r\nSubject: 退款还没到账\r\n"
    "Message-ID: <hook-1@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "申请退款已经十天了，还没到账。\r\n"
).encode()


@pytest.fixture
def token(settings):
    settings.TINGSU = {**settings.TINGSU, "EMAIL_WEBHOOK_TOKEN": TOKEN}


def post(client, body=RAW, **headers):
    return client.post(URL, data=body, content_type="message/rfc822", headers=headers)


def test_it_turns_a_raw_message_into_a_case(world, client, token):
    response = post(client, **{"X-Tingsu-Token": TOKEN})

    assert response.status_code == 201
    data = response.json()
    assert data["outcome"] == "created"
    case = Case.objects.get(number=data["case_number"])
    assert case.customer.email == "lilei@example.com"
    assert CaseEvent.objects.filter(case=case, kind=EventKind.CREATED).exists()
    record = InboundRecord.objects.get(external_id="<hook-1@example.com>")
    assert record.status == InboundStatus.PROCESSED and record.case == case


def test_it_answers_a_repeat_delivery_with_the_same_case(world, client, token):
    first = post(client, **{"X-Tingsu-Token": TOKEN}).json()
    again = post(client, **{"X-Tingsu-Token": TOKEN})
    assert again.status_code == 200
    assert again.json()["outcome"] == "duplicate_delivery"
    assert again.json()["case_number"] == first["case_number"]


@pytest.mark.parametrize("given", [None, "", "wrong", TOKEN + "x", TOKEN[:-1]])
def test_it_rejects_a_missing_or_wrong_token(world, client, token, given):
    headers = {} if given is None else {"X-Tingsu-Token": given}
    response = post(client, **headers)

    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "detail"}
    assert response.json()["code"] == "not_authenticated"
    assert Case.objects.count() == 0
    assert InboundRecord.objects.count() == 0


def test_it_is_not_there_when_no_token_is_configured(world, client, settings):
    settings.TINGSU = {**settings.TINGSU, "EMAIL_WEBHOOK_TOKEN": ""}
    response = post(client, **{"X-Tingsu-Token": ""})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_rejects_get(world, client, token):
    assert client.get(URL, headers={"X-Tingsu-Token": TOKEN}).status_code == 405


def test_it_rejects_an_empty_body(world, client, token):
    response = post(client, body=b"  \r\n", **{"X-Tingsu-Token": TOKEN})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_it_keeps_an_oversized_message_as_rejected_and_says_so(world, client, settings):
    settings.TINGSU = {**settings.TINGSU, "EMAIL_WEBHOOK_TOKEN": TOKEN, "EMAIL_MAX_BYTES": 100}
    response = post(client, **{"X-Tingsu-Token": TOKEN})

    assert response.status_code == 200
    assert response.json()["outcome"] == "rejected"
    assert "over the limit of 100" in response.json()["reason"]
    record = InboundRecord.objects.get()
    assert record.status == InboundStatus.REJECTED
    assert record.subject == "退款还没到账"
    assert Case.objects.count() == 0


def test_it_keeps_an_auto_reply_as_rejected(world, client, token):
    raw = RAW.replace(b"Subject:", b"Auto-Submitted: auto-replied\r\nSubject:")
    response = post(client, body=raw, **{"X-Tingsu-Token": TOKEN})
    assert response.json()["outcome"] == "rejected"
    assert Case.objects.count() == 0
