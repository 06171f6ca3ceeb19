"""The HMAC-SHA256 scheme of the CTI and SMS webhooks."""

import hashlib
import hmac

import pytest

from tingsu.channels.phone.signing import SignatureError, sign, signed_headers, verify

SECRET = "s3cret"
BODY = b'{"call_id": "c-1"}'
NOW = 1_760_000_000


def test_the_signature_is_the_hex_hmac_of_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, NOW, BODY) == expected
    headers = signed_headers(SECRET, BODY, timestamp=NOW)
    assert headers == {"X-Tingsu-Timestamp": str(NOW), "X-Tingsu-Signature": expected}


def test_it_accepts_a_fresh_correct_signature_in_either_case():
    signature = sign(SECRET, NOW, BODY)
    verify(SECRET, timestamp=str(NOW), signature=signature, body=BODY, now=NOW + 299)
    verify(SECRET, timestamp=str(NOW), signature=signature.upper(), body=BODY, now=NOW - 299)


@pytest.mark.parametrize(
    ("timestamp", "signature", "body", "why"),
    [
        (str(NOW), sign("other", NOW, BODY), BODY, "mismatch"),
        (str(NOW), sign(SECRET, NOW, BODY), BODY + b" ", "mismatch"),
        (str(NOW + 1), sign(SECRET, NOW, BODY), BODY, "mismatch"),
        (str(NOW), "", BODY, "mismatch"),
        ("", sign(SECRET, NOW, BODY), BODY, "timestamp"),
        ("1.5", sign(SECRET, NOW, BODY), BODY, "timestamp"),
        ("-5", sign(SECRET, NOW, BODY), BODY, "timestamp"),
    ],
)
def test_it_rejects_a_wrong_signature_or_timestamp(timestamp, signature, body, why):
    with pytest.raises(SignatureError, match=why):
        verify(SECRET, timestamp=timestamp, signature=signature, body=body, now=NOW)


@pytest.mark.parametrize("skew", [301, -301, 86_400])
def test_it_rejects_a_timestamp_more_than_five_minutes_away(skew):
    signature = sign(SECRET, NOW, BODY)
    with pytest.raises(SignatureError, match="window"):
        verify(SECRET, timestamp=str(NOW), signature=signature, body=BODY, now=NOW + skew)
