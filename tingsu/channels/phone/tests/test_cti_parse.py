"""Reading the CTI payload."""

from datetime import UTC, datetime

import pytest

from tingsu.channels.phone.cti import cti_call_parse
from tingsu.core.errors import ValidationFailed


def payload(**kw):
    data = {
        "call_id": "call-001",
        "caller": "138 1234 5678",
        "called": "400-820-8820",
        "started_at": "2025-03-01T09:30:00+08:00",
        "duration_seconds": 185,
        "transcript": "你们的快递把我的杯子摔碎了",
        "recording_url": "https://cti.example.com/rec/001.mp3",
        "agent": "alice",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def test_it_reads_a_full_payload_and_normalises_the_numbers():
    call = cti_call_parse(payload())
    assert call.call_id == "call-001"
    assert call.caller == "+8613812345678"
    assert call.called == "+864008208820"
    assert call.started_at == datetime(2025, 3, 1, 1, 30, tzinfo=UTC)
    assert call.duration_seconds == 185
    assert call.transcript.startswith("你们的快递")
    assert call.recording_url.endswith("001.mp3")
    assert call.agent == "alice"


def test_optional_fields_may_be_left_out_and_a_naive_time_is_shanghai_time():
    call = cti_call_parse(
        payload(transcript=None, recording_url=None, agent=None, started_at="2025-03-01T09:30:00")
    )
    assert (call.transcript, call.recording_url, call.agent) == ("", "", "")
    assert call.started_at == datetime(2025, 3, 1, 1, 30, tzinfo=UTC)


def test_a_numeric_call_id_is_read_as_text():
    assert cti_call_parse(payload(call_id=12345)).call_id == "12345"


def test_it_names_every_missing_field():
    with pytest.raises(ValidationFailed) as exc:
        cti_call_parse({})
    assert set(exc.value.detail) == {
        "call_id",
        "caller",
        "called",
        "started_at",
        "duration_seconds",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("started_at", "yesterday"),
        ("started_at", "2025-13-45T99:00:00"),
        ("duration_seconds", "185"),
        ("duration_seconds", -1),
        ("duration_seconds", True),
        ("caller", ["138"]),
        ("caller", "anonymous"),
        ("call_id", "x" * 129),
        ("recording_url", "javascript:alert(1)"),
        ("recording_url", "ftp://cti.example.com/rec.mp3"),
        ("transcript", {"text": "hi"}),
    ],
)
def test_it_rejects_a_bad_field(field, value):
    with pytest.raises(ValidationFailed) as exc:
        cti_call_parse(payload(**{field: value}))
    assert list(exc.value.detail) == [field]
