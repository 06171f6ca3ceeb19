import json

import pytest

from tingsu.channels.phone.signing import signed_headers

CTI_SECRET = "cti-test-secret"
CTI_URL = "/channels/phone/cti"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def cti_secret(settings):
    # settings.TINGSU is one dict: replace it so the change is undone after the test.
    settings.TINGSU = {**settings.TINGSU, "CTI_SECRET": CTI_SECRET}
    return CTI_SECRET


def django_headers(headers: dict[str, str]) -> dict[str, str]:
    return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}


@pytest.fixture
def post_cti(client, cti_secret):
    """POST a payload signed as the CTI vendor signs it (or as told to get it wrong)."""

    def post(payload, *, secret=cti_secret, timestamp=None, body=None, headers=None):
        raw = body if body is not None else json.dumps(payload, ensure_ascii=False).encode()
        sign = signed_headers(secret, raw, timestamp=timestamp)
        if headers is not None:
            sign = headers
        return client.post(
            CTI_URL, data=raw, content_type="application/json", **django_headers(sign)
        )

    return post


def call_payload(**kw):
    data = {
        "call_id": "call-0001",
        "caller": "+86 138 1234 5678",
        "called": "400-820-8820",
        "started_at": "2025-03-01T09:30:00+08:00",
        "duration_seconds": 185,
        "transcript": "你们的快递把我买的杯子摔碎了，我要求退款。",
        "recording_url": "https://cti.example.com/rec/0001.mp3",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}
