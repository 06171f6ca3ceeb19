"""The SMS inbound webhook's payload and what becomes of it."""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from tingsu.cases.models import Channel
from tingsu.channels.contracts import Identity, InboundMessage
from tingsu.channels.inbound import inbound_receive
from tingsu.channels.phone.selectors import inbound_outcome
from tingsu.channels.phone.webhook import PayloadReader
from tingsu.channels.sms.selectors import sms_thread_case

MAX_TEXT_CHARS = 5000  # a long concatenated SMS is a few hundred characters


@dataclass(frozen=True)
class Sms:
    message_id: str
    sender: str  # canonical form
    to: str
    text: str
    received_at: datetime


def sms_parse(data: dict[str, Any]) -> Sms:
    reader = PayloadReader(data)
    sms = Sms(
        message_id=reader.text("message_id", max_length=128),
        sender=reader.phone("from"),
        to=reader.phone("to"),
        text=reader.text("text", max_length=MAX_TEXT_CHARS),
        received_at=reader.moment("received_at"),
    )
    reader.check()
    return sms


@dataclass
class SmsResult:
    message_id: str
    outcome: str  # "created" | "appended" | "rejected"
    case_number: str = ""
    reason: str = ""
    duplicate: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sms_receive(*, sms: Sms) -> SmsResult:
    case = sms_thread_case(phone=sms.sender)
    message = InboundMessage(
        channel=Channel.SMS,
        identity=Identity(phone=sms.sender),
        body=sms.text,
        external_id=sms.message_id,
        case_numbers=[case.number] if case else [],
        received_at=sms.received_at,
        meta={"to": sms.to},
    )
    result = inbound_receive(message=message)
    if result.outcome == "duplicate_delivery":
        outcome, reason = inbound_outcome(record_id=result.record_id)
        return SmsResult(
            sms.message_id, outcome, case_number=result.case_number, reason=reason, duplicate=True
        )
    return SmsResult(
        sms.message_id, result.outcome, case_number=result.case_number, reason=result.reason
    )
