"""The "webhook" outbox transport: sign the payload and POST it to the endpoint."""

import http.client
import json
import time
from typing import Any

from django.utils.translation import gettext as _

from tingsu.channels.contracts import PermanentError, TransientError
from tingsu.core.config import cached
from tingsu.webhooks import pinned_http
from tingsu.webhooks.models import WebhookEndpoint
from tingsu.webhooks.signing import sign
from tingsu.webhooks.ssrf import ResolveFailed, UnsafeURL

TIMEOUT_SECONDS = 10.0
USER_AGENT = "Tingsu-Webhook/1"


def encode_payload(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def webhook_deliver(
    *, endpoint: WebhookEndpoint, payload: dict[str, Any], delivery_id: str
) -> pinned_http.Response:
    """POST one event. Returns on 2xx; raises TransientError (retry) or PermanentError."""
    body = encode_payload(payload)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Tingsu-Event": str(payload.get("event", "")),
        "X-Tingsu-Delivery": delivery_id,
        "X-Tingsu-Timestamp": timestamp,
        "X-Tingsu-Signature": sign(endpoint.secret, timestamp, body),
    }
    try:
        resp = pinned_http.post(endpoint.url, body=body, headers=headers, timeout=TIMEOUT_SECONDS)
    except UnsafeURL as exc:
        raise PermanentError(_("Refused: %(reason)s") % {"reason": exc}) from exc
    except (pinned_http.TooManyRedirects, pinned_http.BadRedirect) as exc:
        raise PermanentError(str(exc)) from exc
    except ResolveFailed as exc:
        raise TransientError(str(exc)) from exc
    except (OSError, http.client.HTTPException) as exc:
        # Connection refused or reset, timeout, TLS failure, a garbled answer.
        raise TransientError(f"{type(exc).__name__}: {exc}") from exc
    status = resp.status
    if 200 <= status < 300:
        return resp
    detail = f"HTTP {status} from {resp.url}"
    if status >= 500 or status in (408, 429):
        raise TransientError(detail)
    raise PermanentError(detail)


def send_webhook(message: Any) -> None:
    """Outbox transport: `message.recipient` is the endpoint id."""
    # Cached per process until an endpoint changes (tingsu.core.config); the outbox checks
    # the configuration version once per delivery batch, not once per message.
    endpoints = cached("webhooks.by_pk", lambda: {e.pk: e for e in WebhookEndpoint.objects.all()})
    endpoint = endpoints.get(int(message.recipient))
    if endpoint is None:
        raise PermanentError(_("The webhook endpoint no longer exists."))
    if not endpoint.is_active:
        raise PermanentError(_("The webhook endpoint is switched off."))
    webhook_deliver(endpoint=endpoint, payload=message.payload, delivery_id=message.idempotency_key)
