"""WeChat callback XML: parsed safely, and the replies we send back."""

import time
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring


class PayloadError(Exception):
    """The body is not a WeChat XML message we can read."""


def parse_xml(body: bytes) -> dict[str, str]:
    """The <xml> root's children as {tag: text}; DTDs, entities and bad XML are refused."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError) as exc:
        raise PayloadError(f"unreadable XML: {exc.__class__.__name__}") from exc
    if root.tag != "xml":
        raise PayloadError("the root element is not <xml>")
    # WeChat's messages are flat; nested elements (e.g. ScanCodeInfo) are ignored here.
    return {child.tag: (child.text or "").strip() for child in root}


def cdata(value: str) -> str:
    # "]]>" would end the section early: split it across two sections.
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(*, to_user: str, from_user: str, content: str, now: int | None = None) -> bytes:
    """A passive text reply (被动回复用户消息, 回复文本消息)."""
    return (
        "<xml>"
        f"<ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(now if now is not None else time.time())}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content>"
        "</xml>"
    ).encode()


def encrypted_envelope(*, encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> bytes:
    """The safe-mode wrapper around an encrypted reply."""
    return (
        "<xml>"
        f"<Encrypt>{cdata(encrypt)}</Encrypt>"
        f"<MsgSignature>{cdata(msg_signature)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp>"
        f"<Nonce>{cdata(nonce)}</Nonce>"
        "</xml>"
    ).encode()
