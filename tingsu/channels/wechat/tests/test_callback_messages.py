"""POST on the callback URL: signed (and encrypted) messages become cases with a passive reply."""

import re

import pytest

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Case, CaseEvent, Channel, EventKind
from tingsu.channels.models import InboundRecord
from tingsu.channels.wechat.models import Mode, WeChatFollower
from tingsu.channels.wechat.tests.conftest import make_account
from tingsu.channels.wechat.tests.test_payloads import BILLION_LAUGHS
from tingsu.channels.wechat.tests.wechat_server import (
    GH_ID,
    WeChatServer,
    event_xml,
    image_xml,
    text_xml,
    voice_xml,
    wechat_sign,
    xml_fields,
)
from tingsu.customers.models import Customer

pytestmark = pytest.mark.django_db
COMPLAINT = "我在你们商城买的电饭煲，用了两天就坏了，客服一直不回复，要求退货退款。"


def post(client, url_and_body):
    url, body = url_and_body
    return client.post(url, body, content_type="text/xml")


def _nothing_stored():
    assert Case.objects.count() == 0
    assert InboundRecord.objects.count() == 0
    assert Customer.objects.count() == 0


def test_a_safe_mode_text_message_becomes_a_case_with_an_encrypted_reply(client, wechat, openid):
    response = post(client, wechat.safe(text_xml(openid, COMPLAINT), openid))

    assert response.status_code == 200
    reply = wechat.open_reply(response.content)
    case = Case.objects.get()
    assert case.channel == Channel.WECHAT
    assert case.description == COMPLAINT
    assert case.customer.wechat_openid == openid
    created = CaseEvent.objects.get(case=case, kind=EventKind.CREATED)
    assert created.body == COMPLAINT
    assert AuditEntry.objects.filter(action="case.create", object_id=str(case.pk)).exists()
    assert reply["ToUserName"] == openid
    assert reply["FromUserName"] == GH_ID
    assert reply["MsgType"] == "text"
    assert case.number in reply["Content"]
    assert "已受理" in reply["Content"]
    url = f"http://127.0.0.1:8000/portal/track/{case.number}/?t={case.access_token()}"
    assert url in reply["Content"]
    assert WeChatFollower.objects.get(openid=openid).customer == case.customer


def test_the_tracking_link_in_the_reply_opens_the_case(client, wechat, openid):
    reply = wechat.open_reply(post(client, wechat.safe(text_xml(openid, COMPLAINT))).content)
    path = re.search(r"http://127\.0\.0\.1:8000(/portal/track/\S+)", reply["Content"]).group(1)
    page = client.get(path)
    assert page.status_code == 200
    assert Case.objects.get().number in page.content.decode()


def test_a_plain_mode_text_message_gets_a_plain_reply(client, wechat_plain, openid):
    response = post(client, wechat_plain.plain(text_xml(openid, COMPLAINT), openid))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    reply = xml_fields(response.content)
    case = Case.objects.get()
    assert case.number in reply["Content"]
    assert case.customer.wechat_openid == openid


def test_an_image_message_records_the_media_id_and_picture_url(client, wechat, openid):
    pic = "http://mmbiz.qpic.cn/mmbiz_jpg/abc123/0"
    post(client, wechat.safe(image_xml(openid, pic, "MEDIA_ID_img_001")))

    case = Case.objects.get()
    assert pic in case.description
    assert "MEDIA_ID_img_001" in case.description
    record = InboundRecord.objects.get()
    assert record.meta["media_id"] == "MEDIA_ID_img_001"
    assert record.meta["pic_url"] == pic
    assert record.meta["msg_type"] == "image"
    assert CaseEvent.objects.filter(case=case, kind=EventKind.CREATED).exists()


def test_a_voice_message_keeps_the_recognised_text(client, wechat, openid):
    post(client, wechat.safe(voice_xml(openid, "MEDIA_voice_9", recognition="快递丢了没人管")))

    case = Case.objects.get()
    assert "快递丢了没人管" in case.description
    assert "MEDIA_voice_9" in case.description
    assert "amr" in case.description
    assert InboundRecord.objects.get().meta["format"] == "amr"


def test_a_voice_message_without_recognition_still_becomes_a_case(client, wechat, openid):
    post(client, wechat.safe(voice_xml(openid, "MEDIA_voice_10")))
    assert "MEDIA_voice_10" in Case.objects.get().description


def test_a_second_message_is_appended_to_the_open_case(client, wechat, openid):
    first = wechat.open_reply(post(client, wechat.safe(text_xml(openid, COMPLAINT))).content)
    pic = "http://mmbiz.qpic.cn/mmbiz_jpg/broken/0"
    second = wechat.open_reply(post(client, wechat.safe(image_xml(openid, pic, "M2"))).content)

    case = Case.objects.get()
    assert Customer.objects.count() == 1
    message = CaseEvent.objects.get(case=case, kind=EventKind.MESSAGE)
    assert pic in message.body
    assert message.data["channel"] == "wechat"
    assert AuditEntry.objects.filter(action="case.message", object_id=str(case.pk)).exists()
    assert case.number in first["Content"] and case.number in second["Content"]
    assert "补充" in second["Content"]


def test_a_repeat_delivery_of_a_msgid_answers_the_same_reply_and_stores_nothing_twice(
    client, wechat, openid
):
    xml = text_xml(openid, COMPLAINT, msg_id=6054768590064713728)
    replies = [wechat.open_reply(post(client, wechat.safe(xml)).content) for _ in range(4)]

    assert Case.objects.count() == 1
    assert InboundRecord.objects.count() == 1
    assert CaseEvent.objects.filter(kind=EventKind.MESSAGE).count() == 0
    assert len({r["Content"] for r in replies}) == 1
    assert "已受理" in replies[0]["Content"]


def test_a_repeat_delivery_of_an_appended_message_answers_the_appended_reply(
    client, wechat, openid
):
    post(client, wechat.safe(text_xml(openid, COMPLAINT)))
    xml = text_xml(openid, "补充：订单号 202405200001", msg_id=6054768590064713999)
    replies = [wechat.open_reply(post(client, wechat.safe(xml)).content) for _ in range(2)]
    assert replies[0]["Content"] == replies[1]["Content"]
    assert "补充" in replies[0]["Content"]
    assert CaseEvent.objects.filter(kind=EventKind.MESSAGE).count() == 1


def test_it_rejects_a_bad_signature_and_stores_nothing(client, wechat, openid):
    url, body = wechat.safe(text_xml(openid, COMPLAINT))
    url = re.sub(r"signature=[0-9a-f]+", "signature=" + "0" * 40, url, count=1)
    response = client.post(url, body, content_type="text/xml")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    _nothing_stored()


def test_it_rejects_a_bad_msg_signature_and_stores_nothing(client, wechat, openid):
    url, body = wechat.safe(text_xml(openid, COMPLAINT))
    url = re.sub(r"msg_signature=[0-9a-f]+", "msg_signature=" + "0" * 40, url)
    assert client.post(url, body, content_type="text/xml").status_code == 403
    _nothing_stored()


def test_it_rejects_a_message_signed_with_another_token(client, wechat, openid):
    other = WeChatServer(account_id=wechat.account_id, token="NotOurToken1")
    assert post(client, other.safe(text_xml(openid, COMPLAINT))).status_code == 403
    _nothing_stored()


def test_it_rejects_a_message_encrypted_for_another_appid(client, wechat, openid):
    other = WeChatServer(account_id=wechat.account_id, app_id="wx0000000000000000")
    response = post(client, other.safe(text_xml(openid, COMPLAINT)))
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    _nothing_stored()


def test_a_safe_mode_account_refuses_clear_text(client, wechat, openid):
    response = post(client, wechat.plain(text_xml(openid, COMPLAINT)))
    assert response.status_code == 400
    _nothing_stored()


def test_it_refuses_an_xml_bomb_with_400(client, wechat_plain):
    response = post(client, wechat_plain.plain(BILLION_LAUGHS))
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "detail"}
    _nothing_stored()


def test_it_refuses_a_doctype_inside_the_encrypted_message(client, wechat):
    response = post(client, wechat.safe(BILLION_LAUGHS))
    assert response.status_code == 400
    _nothing_stored()


@pytest.mark.parametrize("body", [b"", b"{}", b"<xml><unclosed></xml>"])
def test_it_refuses_unreadable_bodies_with_400(client, wechat_plain, body):
    url, _body = wechat_plain.plain("<xml/>")
    assert client.post(url, body, content_type="text/xml").status_code == 400
    _nothing_stored()


def test_it_refuses_an_oversized_body(client, wechat_plain, openid, settings):
    settings.TINGSU = {**settings.TINGSU, "WECHAT_MAX_BODY_BYTES": 1024}
    response = post(client, wechat_plain.plain(text_xml(openid, "长" * 2000)))
    assert response.status_code == 413
    _nothing_stored()


def test_compatible_mode_takes_the_encrypted_part_and_replies_encrypted(client, db, openid):
    account = make_account(Mode.COMPATIBLE)
    server = WeChatServer(account_id=account.pk)
    reply = server.open_reply(
        post(client, server.safe(text_xml(openid, COMPLAINT), compatible=True)).content
    )
    assert Case.objects.get().number in reply["Content"]


def test_compatible_mode_also_takes_clear_text(client, db, openid):
    account = make_account(Mode.COMPATIBLE)
    server = WeChatServer(account_id=account.pk)
    reply = xml_fields(post(client, server.plain(text_xml(openid, COMPLAINT))).content)
    assert Case.objects.get().number in reply["Content"]


def test_other_message_types_get_success_and_create_nothing(client, wechat, openid):
    xml = text_xml(openid, "x").replace("[text]", "[location]")
    response = post(client, wechat.safe(xml))
    assert response.content == b"success"
    assert Case.objects.count() == 0


def test_an_encrypted_reply_is_signed_over_its_own_timestamp_and_nonce(client, wechat, openid):
    envelope = xml_fields(post(client, wechat.safe(text_xml(openid, COMPLAINT))).content)
    assert envelope["MsgSignature"] == wechat_sign(
        wechat.token, envelope["TimeStamp"], envelope["Nonce"], envelope["Encrypt"]
    )


def test_events_are_answered_with_success(client, wechat, openid):
    response = post(client, wechat.safe(event_xml(openid, "VIEW")))
    assert response.status_code == 200
    assert response.content == b"success"
