"""Test helper: builds callbacks the way WeChat's servers build them.

Written apart from our own crypto module (PKCS#7 from `cryptography`, sha1 from hashlib)
so the tests compare two implementations of the published protocol, not one with itself.
"""

import base64
import hashlib
import os
import struct
import time
from dataclasses import dataclass, field
from itertools import count
from xml.etree import ElementTree

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

APP_ID = "wx5823bf96d3bd56c7"
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"  # 43 characters, as the console shows
GH_ID = "gh_3f2a1b4c5d6e"
_msg_ids = count(23_000_000_000_000_001)


def wechat_sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def wechat_encrypt(xml: bytes, *, aes_key: str = AES_KEY, app_id: str = APP_ID) -> str:
    key = base64.b64decode(aes_key + "=")
    plain = os.urandom(16) + struct.pack(">I", len(xml)) + xml + app_id.encode()
    padder = padding.PKCS7(256).padder()  # WeChat pads to 32-byte blocks
    padded = padder.update(plain) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(padded) + enc.finalize()).decode()


def wechat_decrypt(text: str, *, aes_key: str = AES_KEY, app_id: str = APP_ID) -> bytes:
    key = base64.b64decode(aes_key + "=")
    dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    padded = dec.update(base64.b64decode(text)) + dec.finalize()
    unpadder = padding.PKCS7(256).unpadder()
    plain = unpadder.update(padded) + unpadder.finalize()
    (length,) = struct.unpack(">I", plain[16:20])
    assert plain[20 + length :] == app_id.encode(), "reply encrypted for another appid"
    return plain[20 : 20 + length]


def xml_fields(xml: bytes | str) -> dict[str, str]:
    return {child.tag: child.text or "" for child in ElementTree.fromstring(xml)}


def text_xml(openid: str, content: str, msg_id: int | None = None) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{GH_ID}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id or next(_msg_ids)}</MsgId></xml>"
    )


def image_xml(openid: str, pic_url: str, media_id: str, msg_id: int | None = None) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{GH_ID}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime>"
        "<MsgType><![CDATA[image]]></MsgType>"
        f"<PicUrl><![CDATA[{pic_url}]]></PicUrl>"
        f"<MediaId><![CDATA[{media_id}]]></MediaId>"
        f"<MsgId>{msg_id or next(_msg_ids)}</MsgId></xml>"
    )


def voice_xml(openid: str, media_id: str, recognition: str = "", msg_id: int | None = None) -> str:
    recognised = f"<Recognition><![CDATA[{recognition}]]></Recognition>" if recognition else ""
    return (
        f"<xml><ToUserName><![CDATA[{GH_ID}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime>"
        "<MsgType><![CDATA[voice]]></MsgType>"
        f"<MediaId><![CDATA[{media_id}]]></MediaId>"
        "<Format><![CDATA[amr]]></Format>"
        f"{recognised}"
        f"<MsgId>{msg_id or next(_msg_ids)}</MsgId></xml>"
    )


def event_xml(openid: str, event: str, create_time: int | None = None) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{GH_ID}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{create_time or int(time.time())}</CreateTime>"
        "<MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event></xml>"
    )


@dataclass
class WeChatServer:
    """One 公众号 as WeChat's side sees it: token, key, appid; signs and encrypts callbacks."""

    account_id: int
    token: str = TOKEN
    aes_key: str = AES_KEY
    app_id: str = APP_ID
    sent: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/channels/wechat/{self.account_id}/callback"

    def _stamp(self) -> tuple[str, str]:
        return str(int(time.time())), os.urandom(5).hex()

    def verify_query(self, echostr: str) -> dict[str, str]:
        """The 公众号 console's server-URL check: signature over token, timestamp, nonce."""
        timestamp, nonce = self._stamp()
        return {
            "signature": wechat_sign(self.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "echostr": echostr,
        }

    def verify_query_encrypted(self, echostr: str) -> dict[str, str]:
        """An encrypted echostr signed with msg_signature (企业微信 style)."""
        timestamp, nonce = self._stamp()
        encrypted = wechat_encrypt(echostr.encode(), aes_key=self.aes_key, app_id=self.app_id)
        return {
            "msg_signature": wechat_sign(self.token, timestamp, nonce, encrypted),
            "timestamp": timestamp,
            "nonce": nonce,
            "echostr": encrypted,
        }

    def plain(self, xml: str, openid: str = "") -> tuple[str, bytes]:
        """Query string and body of a plain-mode POST."""
        timestamp, nonce = self._stamp()
        query = f"signature={wechat_sign(self.token, timestamp, nonce)}"
        query += f"&timestamp={timestamp}&nonce={nonce}&openid={openid}"
        return f"{self.path}?{query}", xml.encode()

    def safe(self, xml: str, openid: str = "", *, compatible: bool = False) -> tuple[str, bytes]:
        """Query string and body of a safe-mode (or compatible-mode) POST."""
        timestamp, nonce = self._stamp()
        encrypted = wechat_encrypt(xml.encode(), aes_key=self.aes_key, app_id=self.app_id)
        query = (
            f"signature={wechat_sign(self.token, timestamp, nonce)}"
            f"&timestamp={timestamp}&nonce={nonce}&openid={openid}&encrypt_type=aes"
            f"&msg_signature={wechat_sign(self.token, timestamp, nonce, encrypted)}"
        )
        if compatible:
            # Compatible mode sends the clear fields next to <Encrypt>.
            body = xml.replace("</xml>", f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
        else:
            body = (
                f"<xml><ToUserName><![CDATA[{GH_ID}]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
            )
        return f"{self.path}?{query}", body.encode()

    def open_reply(self, content: bytes) -> dict[str, str]:
        """Check and decrypt a safe-mode reply as WeChat does; the reply's fields."""
        envelope = xml_fields(content)
        expected = wechat_sign(
            self.token, envelope["TimeStamp"], envelope["Nonce"], envelope["Encrypt"]
        )
        assert envelope["MsgSignature"] == expected, "reply msg_signature does not verify"
        return xml_fields(wechat_decrypt(envelope["Encrypt"], aes_key=self.aes_key))
