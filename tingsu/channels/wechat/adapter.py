"""The WeChat callback protocol: signatures, plain/compatible/safe mode, reply envelopes.

Views call `verify_url` (GET) and `handle_message` (POST); both raise CallbackRefused with
our error shape when WeChat could not have sent the request.
"""

import secrets
import time
from collections.abc import Mapping

from django.utils.translation import gettext as _

from tingsu.channels.wechat import crypto, payloads
from tingsu.channels.wechat.models import Mode, WeChatAccount
from tingsu.channels.wechat.services import wechat_event_receive, wechat_message_receive
from tingsu.core.errors import ErrorCode, TingsuError

SUCCESS = b"success"


class CallbackRefused(TingsuError):
    def __init__(self, code: ErrorCode, message: str, status: int):
        super().__init__(code, message)
        self.status = status

    @property
    def http_status(self) -> int:
        return self.status


def _forbidden() -> CallbackRefused:
    return CallbackRefused(ErrorCode.PERMISSION_DENIED, _("Bad WeChat signature."), 403)


def _bad_request(message: str) -> CallbackRefused:
    return CallbackRefused(ErrorCode.VALIDATION, message, 400)


def _check_plain_signature(account: WeChatAccount, query: Mapping[str, str]) -> None:
    if not crypto.check_signature(
        query.get("signature", ""),
        account.token,
        query.get("timestamp", ""),
        query.get("nonce", ""),
    ):
        raise _forbidden()


def _check_msg_signature(account: WeChatAccount, query: Mapping[str, str], encrypted: str) -> None:
    if not crypto.check_signature(
        query.get("msg_signature", ""),
        account.token,
        query.get("timestamp", ""),
        query.get("nonce", ""),
        encrypted,
    ):
        raise _forbidden()


def _decrypt(account: WeChatAccount, encrypted: str) -> bytes:
    try:
        return crypto.decrypt(
            encrypted, encoding_aes_key=account.encoding_aes_key, app_id=account.app_id
        )
    except crypto.CryptoError as exc:
        raise _bad_request(_("The encrypted message could not be read.")) from exc


def verify_url(account: WeChatAccount, query: Mapping[str, str]) -> str:
    """The echostr to answer WeChat's server-URL check with.

    公众号 signs the check with `signature` and sends echostr in clear in every mode. A check
    signed with `msg_signature` (WeChat's encrypted echostr, as 企业微信 sends it) is decrypted.
    """
    echostr = query.get("echostr", "")
    if query.get("msg_signature") and account.mode != Mode.PLAIN:
        _check_msg_signature(account, query, echostr)
        return _decrypt(account, echostr).decode("utf-8", "replace")
    _check_plain_signature(account, query)
    return echostr


def handle_message(account: WeChatAccount, query: Mapping[str, str], body: bytes) -> bytes:
    """Verify, decrypt and dispatch one POSTed message; the bytes to answer WeChat with."""
    _check_plain_signature(account, query)
    try:
        outer = payloads.parse_xml(body)
    except payloads.PayloadError as exc:
        raise _bad_request(_("The message is not readable WeChat XML.")) from exc
    encrypted = query.get("encrypt_type", "") == "aes" and account.mode != Mode.PLAIN
    if account.mode == Mode.SAFE and not (encrypted and outer.get("Encrypt")):
        # Safe mode never accepts clear text: that would let anyone with the token skip the key.
        raise _bad_request(_("This account takes encrypted messages only."))
    if encrypted:
        if not outer.get("Encrypt"):
            raise _bad_request(_("The encrypted message is missing."))
        _check_msg_signature(account, query, outer["Encrypt"])
        raw = _decrypt(account, outer["Encrypt"])
        try:
            message = payloads.parse_xml(raw)
        except payloads.PayloadError as exc:
            raise _bad_request(_("The message is not readable WeChat XML.")) from exc
    else:
        raw, message = body, outer
    if message.get("MsgType") == "event":
        wechat_event_receive(account=account, message=message)
        return SUCCESS
    reply = wechat_message_receive(account=account, message=message, raw=raw)
    if not reply:
        return SUCCESS
    xml = payloads.text_reply(
        to_user=message.get("FromUserName", ""),
        from_user=message.get("ToUserName", ""),
        content=reply,
    )
    return _encrypt_reply(account, xml) if encrypted else xml


def _encrypt_reply(account: WeChatAccount, xml: bytes) -> bytes:
    encrypt = crypto.encrypt(xml, encoding_aes_key=account.encoding_aes_key, app_id=account.app_id)
    timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
    return payloads.encrypted_envelope(
        encrypt=encrypt,
        msg_signature=crypto.sign(account.token, timestamp, nonce, encrypt),
        timestamp=timestamp,
        nonce=nonce,
    )
