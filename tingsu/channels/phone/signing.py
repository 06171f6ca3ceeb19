"""The HMAC scheme of our JSON webhooks (CTI and SMS).

The sender signs `f"{timestamp}.{raw body}"` with HMAC-SHA256 and the shared secret, and
sends two headers: X-Tingsu-Timestamp (unix seconds) and X-Tingsu-Signature (hex digest).
A timestamp more than five minutes away from our clock is refused, so a captured request
cannot be replayed later; within the window the webhook's own id (call_id, message_id)
makes a replay a harmless duplicate.
"""

import hashlib
import hmac
import time

from django.http import HttpRequest

TIMESTAMP_HEADER = "X-Tingsu-Timestamp"
SIGNATURE_HEADER = "X-Tingsu-Signature"
MAX_SKEW_SECONDS = 300


class SignatureError(Exception):
    """Why a request's signature was refused (logged, never shown in detail to the caller)."""


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    """The headers a sender adds; for tests, the README example and integrators' tooling."""
    ts = int(time.time()) if timestamp is None else timestamp
    return {TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: sign(secret, ts, body)}


def verify(secret: str, *, timestamp: str, signature: str, body: bytes, now: float) -> None:
    """Raise SignatureError unless the signature is right and the timestamp is fresh."""
    timestamp = (timestamp or "").strip()
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureError("missing or malformed timestamp")
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        raise SignatureError("timestamp outside the allowed window")
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), (signature or "").strip().lower().encode()):
        raise SignatureError("signature mismatch")


def verify_request(request: HttpRequest, secret: str) -> bytes:
    """Check a Django request's signature headers; return the raw body that was signed."""
    body = request.body
    verify(
        secret,
        timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
        signature=request.headers.get(SIGNATURE_HEADER, ""),
        body=body,
        now=time.time(),
    )
    return body
