"""The contracts between channel adapters and the channels core.

Every inbound adapter (email, WeChat, phone/CTI, SMS, API) turns what it received into an
`InboundMessage` and calls `tingsu.channels.inbound.inbound_receive(message=...)`. Every
outbound transport (email, WeChat template message, SMS, webhook, in-app) registers a
sender with `tingsu.channels.transports.register_transport`.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Identity:
    """Whatever the channel knows about the sender; blank fields are unknown."""

    name: str = ""
    phone: str = ""
    email: str = ""
    wechat_openid: str = ""
    customer_number: str = ""


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class InboundMessage:
    channel: str  # cases.models.Channel value
    identity: Identity
    body: str
    subject: str = ""
    attachments: list[InboundAttachment] = field(default_factory=list)
    # The channel's own id for this message (email Message-ID, WeChat MsgId, CTI call id,
    # SMS id). A repeat delivery with the same (channel, external_id) is recorded once.
    external_id: str = ""
    # Threading hints, strongest first: case numbers named in the message (subject line),
    # and ids of earlier messages this one answers (email In-Reply-To / References).
    case_numbers: list[str] = field(default_factory=list)
    reply_to_ids: list[str] = field(default_factory=list)
    received_at: datetime | None = None
    raw: bytes = b""
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class InboundResult:
    outcome: str  # "created" | "appended" | "duplicate_delivery" | "rejected"
    case_number: str = ""
    reason: str = ""  # why it was appended (threaded by ..., same matter as ...) or rejected
    record_id: int | None = None  # the channels.InboundRecord row


class TransientError(Exception):
    """Delivery failed but may work later (timeout, 5xx, 4xx SMTP): retry with backoff."""


class PermanentError(Exception):
    """Delivery can never work (bad address, 4xx from provider): dead-letter at once."""
