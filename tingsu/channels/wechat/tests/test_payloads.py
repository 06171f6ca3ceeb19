import pytest

from tingsu.channels.wechat import payloads
from tingsu.channels.wechat.tests.wechat_server import text_xml, xml_fields

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xml><Content>&lol3;</Content></xml>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><Content>&xxe;</Content></xml>"""


def test_it_reads_a_wechat_text_message():
    fields = payloads.parse_xml(
        text_xml("oOPENID", "快递三天没到", msg_id=1234567890123456).encode()
    )
    assert fields["FromUserName"] == "oOPENID"
    assert fields["Content"] == "快递三天没到"
    assert fields["MsgId"] == "1234567890123456"


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_it_refuses_doctype_and_entities(body):
    with pytest.raises(payloads.PayloadError):
        payloads.parse_xml(body.encode())


@pytest.mark.parametrize("body", [b"", b"not xml", b"<xml><a></xml>", b"<root/>"])
def test_it_refuses_what_is_not_a_wechat_xml_message(body):
    with pytest.raises(payloads.PayloadError):
        payloads.parse_xml(body)


def test_the_text_reply_survives_a_cdata_terminator_in_the_content():
    reply = payloads.text_reply(to_user="oOPENID", from_user="gh_x", content="a]]>b", now=1)
    fields = xml_fields(reply)
    assert fields == {
        "ToUserName": "oOPENID",
        "FromUserName": "gh_x",
        "CreateTime": "1",
        "MsgType": "text",
        "Content": "a]]>b",
    }
