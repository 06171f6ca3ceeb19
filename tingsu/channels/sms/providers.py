"""Sending SMS: a provider interface, the generic HTTP provider, and the "sms" transport.

Generic HTTP provider (settings TINGSU_SMS_HTTP_URL, TINGSU_SMS_HTTP_TOKEN):
POST {url} with JSON {"to", "text", "idempotency_key"}, headers `Authorization: Bearer
{token}` and `Idempotency-Key`. A 2xx answer is sent; its JSON "id" (or "message_id") is
the provider's id. 5xx, 429, timeouts and unreachable hosts are transient (retried with
backoff by the outbox); any other 4xx is permanent (dead-lettered with the error).
"""

import json
import logging
from typing import TYPE_CHECKING, Protocol
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from django.conf import settings

from tingsu.channels.contracts import PermanentError, TransientError

if TYPE_CHECKING:
    from tingsu.channels.models import OutboxMessage

logger = logging.getLogger("tingsu.channels.sms")

TIMEOUT_SECONDS = 10
MAX_ANSWER_BYTES = 64 * 1024


class SmsProvider(Protocol):
    def send(self, to: str, text: str, idempotency_key: str) -> str:
        """Send one SMS; return the provider's id for it. Raise TransientError or
        PermanentError from tingsu.channels.contracts."""


class HttpSmsProvider:
    def __init__(self, url: str, token: str = "", timeout: float = TIMEOUT_SECONDS):
        if urlsplit(url).scheme not in ("http", "https"):
            raise PermanentError("The SMS provider URL must be http or https.")
        self.url = url
        self.token = token
        self.timeout = timeout

    def send(self, to: str, text: str, idempotency_key: str) -> str:
        body = json.dumps(
            {"to": to, "text": text, "idempotency_key": idempotency_key}, ensure_ascii=False
        ).encode()
        request = Request(self.url, data=body, method="POST")  # noqa: S310 - scheme checked
        request.add_header("Content-Type", "application/json; charset=utf-8")
        request.add_header("Idempotency-Key", idempotency_key)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = response.read(MAX_ANSWER_BYTES)
        except HTTPError as exc:
            if exc.code >= 500 or exc.code == 429:
                raise TransientError(f"SMS provider answered HTTP {exc.code}") from exc
            detail = exc.read(2000).decode("utf-8", "replace")
            raise PermanentError(f"SMS provider answered HTTP {exc.code}: {detail}") from exc
        except (URLError, TimeoutError, OSError) as exc:
            raise TransientError(f"SMS provider unreachable: {exc}") from exc
        try:
            data = json.loads(answer) if answer.strip() else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        return str(data.get("id") or data.get("message_id") or "")


def sms_provider() -> SmsProvider:
    url = settings.TINGSU.get("SMS_HTTP_URL") or ""
    if not url:
        raise PermanentError("No SMS provider is configured (TINGSU_SMS_HTTP_URL).")
    return HttpSmsProvider(url, settings.TINGSU.get("SMS_HTTP_TOKEN") or "")


def sms_send(message: "OutboxMessage") -> str:
    """The "sms" transport: the outbox message's recipient is the phone number."""
    if not message.recipient:
        raise PermanentError("The SMS has no recipient number.")
    text = message.body or message.subject
    if not text:
        raise PermanentError("The SMS has no text.")
    return sms_provider().send(message.recipient, text, message.idempotency_key)
