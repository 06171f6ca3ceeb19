"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>" with the endpoint's secret.

`verify_signature` is the function integrators copy into their receiver (README,
"Outbound webhooks"); it only needs the standard library.
"""

import hashlib
import hmac
import time

SIGNATURE_PREFIX = "sha256="


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def verify_signature(
    secret: str, timestamp: str, body: bytes, header: str, *, tolerance: int = 300
) -> bool:
    """True when `header` (X-Tingsu-Signature) signs this body and timestamp
    (X-Tingsu-Timestamp), and the timestamp is within `tolerance` seconds of now."""
    try:
        age = abs(time.time() - int(timestamp))
    except (TypeError, ValueError):
        return False
    if age > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return hmac.compare_digest(expected.encode(), (header or "").encode())
