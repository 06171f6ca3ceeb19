"""The "wechat" outbound transport: a template message (模板消息) to the customer's openid.

POST {WECHAT_API_BASE}/cgi-bin/message/template/send?access_token=... with
{"touser", "template_id", "url", "data", "client_msg_id"}. The access token comes from
/cgi-bin/token and is cached on the account row, shared by every worker (asking for a new
token invalidates the old one after five minutes, so workers must not each keep their own).

Called by the outbox worker outside any transaction. Payload keys a caller may set:
"app_id" (which account; default: the one the customer follows, else the only active one),
"template_id", "url" (default: the case's tracking link), "data" (default: first = subject,
keyword1 = case number, keyword2 = body, remark = "").
"""

import hashlib
import json
import logging
from datetime import timedelta
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings
from django.utils import timezone

from tingsu.channels.contracts import PermanentError, TransientError
from tingsu.channels.wechat.models import WeChatAccount, WeChatFollower

logger = logging.getLogger("tingsu.wechat")

DEFAULT_API_BASE = "https://api.weixin.qq.com"
TIMEOUT_SECONDS = 10
# access_token invalid (40001, 40014) or expired (42001): fetch a new one and try once more.
TOKEN_ERRORS = {40001, 40014, 42001}
# System busy (-1) and API quota reached (45009) may work later.
TRANSIENT_ERRORS = {-1, 45009}
TOKEN_MARGIN = timedelta(minutes=5)


def api_base() -> str:
    return settings.TINGSU.get("WECHAT_API_BASE", DEFAULT_API_BASE).rstrip("/")


def _call(url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = Request(url, data=data, method="POST" if data is not None else "GET")  # noqa: S310
    if data is not None:
        request.add_header("Content-Type", "application/json; charset=utf-8")
    try:
        with urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - https/http base from settings
            raw = response.read(1024 * 1024)
    except HTTPError as exc:
        if exc.code >= 500 or exc.code == 429:
            raise TransientError(f"WeChat API answered HTTP {exc.code}") from exc
        raise PermanentError(f"WeChat API answered HTTP {exc.code}") from exc
    except (URLError, TimeoutError, OSError) as exc:
        raise TransientError(f"WeChat API unreachable: {exc}") from exc
    try:
        answer = json.loads(raw)
    except ValueError as exc:
        raise TransientError("WeChat API answered something that is not JSON") from exc
    if not isinstance(answer, dict):
        raise TransientError("WeChat API answered something that is not a JSON object")
    return answer


def _raise_for(answer: dict[str, Any], what: str) -> None:
    code = answer.get("errcode", 0)
    if code in (0, None):
        return
    text = f"{what}: errcode {code} {answer.get('errmsg', '')}".strip()
    if code in TRANSIENT_ERRORS:
        raise TransientError(text)
    raise PermanentError(text)


def access_token_get(account: WeChatAccount, *, refresh: bool = False) -> str:
    """The account's API access token, fetched from /cgi-bin/token when missing or stale."""
    now = timezone.now()
    if (
        not refresh
        and account.access_token
        and account.access_token_expires_at
        and account.access_token_expires_at > now
    ):
        return account.access_token
    query = urlencode(
        {"grant_type": "client_credential", "appid": account.app_id, "secret": account.app_secret}
    )
    answer = _call(f"{api_base()}/cgi-bin/token?{query}")
    _raise_for(answer, "token")
    token = str(answer.get("access_token") or "")
    if not token:
        raise TransientError("WeChat API gave no access_token")
    expires = now + timedelta(seconds=int(answer.get("expires_in") or 7200)) - TOKEN_MARGIN
    WeChatAccount.objects.filter(pk=account.pk).update(
        access_token=token, access_token_expires_at=expires
    )
    account.access_token, account.access_token_expires_at = token, expires
    return token


def _account_for(openid: str, payload: dict[str, Any]) -> WeChatAccount:
    accounts = WeChatAccount.objects.filter(is_active=True)
    if payload.get("app_id"):
        account = accounts.filter(app_id=payload["app_id"]).first()
    else:
        follow = (
            WeChatFollower.objects.filter(openid=openid, account__is_active=True)
            .select_related("account")
            .order_by("-subscribed", "-id")
            .first()
        )
        account = (
            follow.account if follow else (accounts.first() if accounts.count() == 1 else None)
        )
    if account is None:
        raise PermanentError(f"No active WeChat account to reach {openid}")
    follower = WeChatFollower.objects.filter(account=account, openid=openid).first()
    if follower is not None and not follower.subscribed:
        raise PermanentError(f"{openid} no longer follows {account.app_id}")
    return account


def _client_msg_id(key: str) -> str:
    # WeChat drops a second send with the same openid + client_msg_id (防重入).
    return key if len(key) <= 64 else hashlib.sha1(key.encode()).hexdigest()  # noqa: S324


def template_body(message, account: WeChatAccount) -> dict[str, Any]:
    payload = message.payload or {}
    case = message.case
    url = payload.get("url", "")
    if not url and case is not None:
        from tingsu.channels.wechat.services import tracking_url

        url = tracking_url(case)
    data = payload.get("data") or {
        "first": {"value": message.subject},
        "keyword1": {"value": case.number if case is not None else ""},
        "keyword2": {"value": message.body},
        "remark": {"value": ""},
    }
    body = {
        "touser": message.recipient,
        "template_id": payload.get("template_id") or account.template_id,
        "url": url,
        "data": data,
    }
    if message.idempotency_key:
        body["client_msg_id"] = _client_msg_id(message.idempotency_key)
    return body


def wechat_send(message) -> str:
    """Deliver one OutboxMessage as a template message; returns WeChat's msgid."""
    openid = (message.recipient or "").strip()
    if not openid:
        raise PermanentError("No openid to send to")
    account = _account_for(openid, message.payload or {})
    body = template_body(message, account)
    if not body["template_id"]:
        raise PermanentError(f"WeChat account {account.app_id} has no template message ID")
    for attempt in (1, 2):
        token = access_token_get(account, refresh=attempt == 2)
        url = f"{api_base()}/cgi-bin/message/template/send?{urlencode({'access_token': token})}"
        answer = _call(url, body)
        if answer.get("errcode", 0) in TOKEN_ERRORS and attempt == 1:
            logger.info("WeChat access token for %s rejected; fetching a new one", account.app_id)
            continue
        _raise_for(answer, "template send")
        return str(answer.get("msgid", ""))
    raise TransientError("unreachable")  # pragma: no cover
