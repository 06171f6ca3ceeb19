"""The registry of outbound transports.

A transport is a function `send(message: OutboxMessage) -> str` that delivers one outbox
message and returns the provider's id for it (may be ""). It raises
`contracts.TransientError` when a later attempt may work and `contracts.PermanentError`
when none will. It is called outside any transaction and may be called more than once for
the same message (delivery is at-least-once): it must pass `message.idempotency_key` on
(email Message-ID, HTTP `Idempotency-Key` header) so the receiver can drop a resend.

A transport may also register a session: a context manager the worker enters once around
all the messages of that transport in one delivery batch (email: one SMTP connection for
the batch instead of one per message). `send` must work without it too.

Adapters register their transport in their AppConfig.ready().
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tingsu.channels.models import OutboxMessage

Sender = Callable[["OutboxMessage"], str | None]
Session = Callable[[], AbstractContextManager[object]]

_registry: dict[str, Sender] = {}
_sessions: dict[str, Session] = {}


def register_transport(name: str, send: Sender, *, session: Session | None = None) -> None:
    """Register (or replace) the sender for a transport name such as "email" or "sms"."""
    _registry[name] = send
    if session is None:
        _sessions.pop(name, None)
    else:
        _sessions[name] = session


def unregister_transport(name: str) -> None:
    _registry.pop(name, None)
    _sessions.pop(name, None)


def get_transport(name: str) -> Sender | None:
    return _registry.get(name)


def get_session(name: str) -> Session | None:
    return _sessions.get(name)


def has_transport(name: str) -> bool:
    return name in _registry


def transport_names() -> list[str]:
    return sorted(_registry)
