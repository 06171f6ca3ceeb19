import json

import pytest

from tingsu.channels.phone.signing import signed_headers
from tingsu.channels.phone.tests.conftest import django_headers

SMS_SECRET = "sms-test-secret"
SMS_URL = "/channels/sms/inbound"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def sms_secret(settings):
    settings.TINGSU = {**settings.TINGSU, "SMS_SECRET": SMS_SECRET}
    return SMS_SECRET


@pytest.fixture
def post_sms(client, sms_secret):
    def post(payload, *, secret=sms_secret, timestamp=None, body=None, headers=None):
        raw = body if body is not None else json.dumps(payload, ensure_ascii=False).encode()
        sign = signed_headers(secret, raw, timestamp=timestamp) if headers is None else headers
        return client.post(
            SMS_URL, data=raw, content_type="application/json", **django_headers(sign)
        )

    return post


def sms_payload(**kw):
    data = {
        "message_id": "sms-0001",
        "from": "+86 138 1234 5678",
        "to": "1069 0000 1234",
        "text": "我买的电饭煲用了三天就坏了，要求换货。",
        "received_at": "2025-03-01T10:00:00+08:00",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}
