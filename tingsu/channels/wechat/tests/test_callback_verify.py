"""GET on the callback URL: the 公众号 console's server-URL check (echostr)."""

import pytest

from tingsu.channels.wechat.models import Mode
from tingsu.channels.wechat.tests.conftest import make_account
from tingsu.channels.wechat.tests.wechat_server import WeChatServer

pytestmark = pytest.mark.django_db


def test_it_echoes_echostr_in_plain_mode(client, wechat_plain):
    response = client.get(wechat_plain.path, wechat_plain.verify_query("5837397301622713212"))
    assert response.status_code == 200
    assert response.content == b"5837397301622713212"


def test_it_echoes_the_clear_echostr_in_safe_mode(client, wechat):
    response = client.get(wechat.path, wechat.verify_query("1234567890"))
    assert response.status_code == 200
    assert response.content == b"1234567890"


def test_it_decrypts_an_encrypted_echostr_in_safe_mode(client, wechat):
    response = client.get(wechat.path, wechat.verify_query_encrypted("echo-4815162342"))
    assert response.status_code == 200
    assert response.content == b"echo-4815162342"


def test_it_rejects_a_bad_signature_with_403_and_our_error_shape(client, wechat):
    query = wechat.verify_query("1234567890")
    query["signature"] = "0" * 40
    response = client.get(wechat.path, query)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert set(response.json()) == {"code", "message", "detail"}


def test_it_rejects_a_check_signed_with_another_token(client, wechat):
    other = WeChatServer(account_id=wechat.account_id, token="AnotherToken")
    response = client.get(wechat.path, other.verify_query("1234567890"))
    assert response.status_code == 403


def test_it_rejects_an_encrypted_echostr_with_a_bad_msg_signature(client, wechat):
    query = wechat.verify_query_encrypted("echo")
    query["msg_signature"] = "f" * 40
    assert client.get(wechat.path, query).status_code == 403


def test_it_rejects_a_check_without_any_signature(client, wechat):
    assert client.get(wechat.path, {"echostr": "1"}).status_code == 403


def test_it_answers_404_for_an_unknown_or_inactive_account(client, db):
    account = make_account(Mode.PLAIN, is_active=False)
    server = WeChatServer(account_id=account.pk)
    assert client.get(server.path, server.verify_query("1")).status_code == 404
    missing = WeChatServer(account_id=account.pk + 1000)
    response = client.get(missing.path, missing.verify_query("1"))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_refuses_other_methods(client, wechat):
    assert client.put(wechat.path).status_code == 405
