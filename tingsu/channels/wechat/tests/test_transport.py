"""The "wechat" transport sends template messages to a local peer imitating WeChat's API."""

import socket

import pytest
from django.db import transaction

from tingsu.cases.models import Channel
from tingsu.channels.contracts import PermanentError, TransientError
from tingsu.channels.models import OutboxMessage, OutboxStatus
from tingsu.channels.outbox import outbox_deliver, outbox_enqueue
from tingsu.channels.transports import get_transport
from tingsu.channels.wechat.models import WeChatAccount, WeChatFollower
from tingsu.channels.wechat.tests.wechat_api_peer import start_peer
from tingsu.channels.wechat.tests.wechat_server import APP_ID
from tingsu.channels.wechat.transport import wechat_send
from tingsu.core.testing import make_case, make_customer

pytestmark = pytest.mark.django_db
TEMPLATE = "/cgi-bin/message/template/send"


@pytest.fixture
def peer(settings):
    server, peer = start_peer()
    host, port = server.server_address
    settings.TINGSU = {**settings.TINGSU, "WECHAT_API_BASE": f"http://{host}:{port}"}
    yield peer
    server.shutdown()
    server.server_close()


@pytest.fixture
def case(safe_account, openid):
    customer = make_customer(name="王女士", wechat_openid=openid)
    WeChatFollower.objects.create(
        account=safe_account, openid=openid, customer=customer, subscribed=True
    )
    return make_case(customer=customer, channel=Channel.WECHAT)


def enqueue(case, key="case-received-1", **fields) -> OutboxMessage:
    with transaction.atomic():
        return outbox_enqueue(
            transport="wechat",
            recipient=fields.pop("recipient", case.customer.wechat_openid),
            subject=fields.pop("subject", "您的投诉已受理"),
            body=fields.pop("body", "我们会在 24 小时内联系您"),
            idempotency_key=key,
            case=case,
            **fields,
        )


def test_the_app_registers_the_wechat_transport():
    assert get_transport("wechat") is wechat_send


def test_it_delivers_a_template_message_with_the_right_json(peer, case, safe_account):
    message = enqueue(case)
    assert outbox_deliver(message.pk) is True

    token_call, send_call = peer.seen
    assert token_call.path == "/cgi-bin/token"
    assert token_call.query == {
        "grant_type": "client_credential",
        "appid": APP_ID,
        "secret": "s3cr3t-app-secret",
    }
    assert send_call.method == "POST"
    assert send_call.path == TEMPLATE
    assert send_call.query == {"access_token": "ACCESS_TOKEN_1"}
    assert send_call.body == {
        "touser": case.customer.wechat_openid,
        "template_id": "tmpl-case-progress",
        "url": f"http://127.0.0.1:8000/portal/track/{case.number}/?t={case.access_token()}",
        "data": {
            "first": {"value": "您的投诉已受理"},
            "keyword1": {"value": case.number},
            "keyword2": {"value": "我们会在 24 小时内联系您"},
            "remark": {"value": ""},
        },
        "client_msg_id": "case-received-1",
    }
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.provider_id == "200228332"


def test_the_payload_can_choose_template_url_and_data(peer, case):
    data = {"thing1": {"value": "物流延误"}, "character_string2": {"value": case.number}}
    message = enqueue(
        case, payload={"template_id": "tmpl-other", "url": "https://example.cn/x", "data": data}
    )
    outbox_deliver(message.pk)
    body = peer.calls(TEMPLATE)[0].body
    assert body["template_id"] == "tmpl-other"
    assert body["url"] == "https://example.cn/x"
    assert body["data"] == data


def test_it_caches_the_access_token_across_sends(peer, case):
    outbox_deliver(enqueue(case, "k1").pk)
    outbox_deliver(enqueue(case, "k2").pk)
    assert len(peer.calls("/cgi-bin/token")) == 1
    assert [c.query["access_token"] for c in peer.calls(TEMPLATE)] == ["ACCESS_TOKEN_1"] * 2
    assert WeChatAccount.objects.get().access_token == "ACCESS_TOKEN_1"


def test_an_expired_token_is_refreshed_and_the_send_retried_once(peer, case):
    peer.send_answers.append({"errcode": 40001, "errmsg": "invalid credential"})
    message = enqueue(case)
    assert outbox_deliver(message.pk) is True
    assert len(peer.calls("/cgi-bin/token")) == 2
    assert [c.query["access_token"] for c in peer.calls(TEMPLATE)] == [
        "ACCESS_TOKEN_1",
        "ACCESS_TOKEN_2",
    ]
    assert WeChatAccount.objects.get().access_token == "ACCESS_TOKEN_2"


def test_a_token_rejected_twice_is_a_permanent_error(peer, case):
    peer.send_answers.extend([{"errcode": 40001}, {"errcode": 42001}])
    message = enqueue(case)
    assert outbox_deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert "42001" in message.last_error
    assert len(peer.calls(TEMPLATE)) == 2


def test_another_errcode_dead_letters_the_message(peer, case):
    peer.send_answers.append({"errcode": 43004, "errmsg": "require subscribe"})
    message = enqueue(case)
    outbox_deliver(message.pk)
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert "43004" in message.last_error


def test_system_busy_is_retried_later(peer, case):
    peer.send_answers.append({"errcode": -1, "errmsg": "system error"})
    message = enqueue(case)
    outbox_deliver(message.pk)
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert "Transient" in message.last_error


def test_a_server_error_is_transient(peer, case):
    peer.send_answers.append({"_http_status": 502})
    with pytest.raises(TransientError):
        wechat_send(enqueue(case))


def test_a_bad_app_secret_is_permanent(peer, case):
    peer.token_answers.append({"errcode": 40125, "errmsg": "invalid appsecret"})
    with pytest.raises(PermanentError, match="40125"):
        wechat_send(enqueue(case))


def test_a_connection_error_is_transient(case, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.TINGSU = {**settings.TINGSU, "WECHAT_API_BASE": f"http://127.0.0.1:{port}"}
    with pytest.raises(TransientError):
        wechat_send(enqueue(case))


def test_it_does_not_send_to_someone_who_unfollowed(peer, case):
    WeChatFollower.objects.filter(openid=case.customer.wechat_openid).update(subscribed=False)
    with pytest.raises(PermanentError, match="no longer follows"):
        wechat_send(enqueue(case))
    assert peer.seen == []


def test_it_needs_a_template_id(peer, case, safe_account):
    WeChatAccount.objects.filter(pk=safe_account.pk).update(template_id="")
    with pytest.raises(PermanentError, match="template"):
        wechat_send(enqueue(case))
