"""The registry of outbound transports.

A transport is a function `send(message: OutboxMessage) -> str` that delivers one outbox
message and returns the provider's id for it (may be ""). It raises
`contracts.TransientError` when a later attempt may work and `contracts.PermanentError`
when none will. It is called outside any transaction and may be called more than once for
the same message (delivery is at-least-once): it must pass `message.idempotency_key` on
(email Message-ID, HTTP `Idempotency-Key` header) so the receiver can drop a resend.

Adapters register their transport in their AppConfig.ready().
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tingsu.channels.models import OutboxMessage

Sender = Callable[["OutboxMessage"], str | None]

_registry: dict[str, Sender] = {}


def register_transport(name: str, send: Sender) -> None:
    """Register (or replace) the sender for a transport name such as "email" or "sms"."""
    _registry[name] = send


def unregister_transport(name: str) -> None:
    _registry.pop(name, None)


def get_transport(name: str) -> Sender | None:
    return _registry.get(name)


def has_transport(name: str) -> bool:
    return name in _registry


def transport_names() -> list[str]:
    return sorted(_registry)
