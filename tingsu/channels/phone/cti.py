"""The CTI webhook's payload: one finished call, as the telephony vendor reports it."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tingsu.channels.phone.webhook import PayloadReader

MAX_TRANSCRIPT_CHARS = 200_000  # a long call; the case keeps what fits, the record the rest


@dataclass(frozen=True)
class CtiCall:
    call_id: str
    caller: str  # canonical form (customers.phones)
    called: str
    started_at: datetime
    duration_seconds: int
    transcript: str = ""
    recording_url: str = ""
    agent: str = ""  # the username of the agent who took the call, if the vendor knows it


def cti_call_parse(data: dict[str, Any]) -> CtiCall:
    """Read a CTI payload, or raise ValidationFailed naming every bad field."""
    reader = PayloadReader(data)
    call = CtiCall(
        call_id=reader.text("call_id", max_length=128),
        caller=reader.phone("caller"),
        called=reader.phone("called"),
        started_at=reader.moment("started_at"),
        duration_seconds=reader.integer("duration_seconds", maximum=7 * 24 * 3600),
        transcript=reader.text("transcript", required=False, max_length=MAX_TRANSCRIPT_CHARS),
        recording_url=reader.url("recording_url"),
        agent=reader.text("agent", required=False, max_length=150),
    )
    reader.check()
    return call
