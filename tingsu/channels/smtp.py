"""The "email" transport: one outbox message through Django's email backend (SMTP in
production, settings.EMAIL_*).

The Message-ID is derived from the outbox idempotency key, so a resend after a crash
carries the same Message-ID and the receiving side can drop the copy.

Inside `email_session()` (the worker opens one per delivery batch) every message goes
through one connection to the mail server instead of a connection (TCP, EHLO, AUTH, QUIT)
each.
"""

import re
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from tingsu.channels.contracts import PermanentError, TransientError
from tingsu.channels.models import OutboxMessage

# CR, LF and the other controls (and Unicode line separators) would end a header line
# and start another: in a header value they become a space, in an address a refusal.
_HEADER_BREAKS = re.compile("[\x00-\x1f\x7f\u0085\u2028\u2029]")


def header_safe(value: str) -> str:
    """One header line: any line break or control character becomes a space."""
    return " ".join(_HEADER_BREAKS.sub(" ", str(value or "")).split())


def _address(value: str) -> str:
    if _HEADER_BREAKS.search(value or ""):
        raise PermanentError(f"Address with a line break or control character: {value!r}")
    return value


def email_message_for(message: OutboxMessage) -> EmailMultiAlternatives:
    message_id = f"<{header_safe(message.external_id)}>"
    in_reply_to = header_safe(message.payload.get("in_reply_to") or "")
    email = EmailMultiAlternatives(
        subject=header_safe(message.subject),
        body=message.body,
        from_email=_address(message.payload.get("from") or settings.DEFAULT_FROM_EMAIL),
        to=[_address(message.recipient)],
        headers={
            "Message-ID": message_id,
            "X-Tingsu-Idempotency-Key": header_safe(message.idempotency_key),
            # We send notifications: replies to them are welcome, auto-replies are not.
            "Auto-Submitted": "auto-generated",
            **({"In-Reply-To": in_reply_to} if in_reply_to else {}),
        },
    )
    if message.payload.get("html"):
        email.attach_alternative(message.payload["html"], "text/html")
    return email


_session_connection: ContextVar[BaseEmailBackend | None] = ContextVar(
    "email_session_connection", default=None
)


def _new_connection() -> BaseEmailBackend:
    return get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT or 30)


def _close_quietly(connection: BaseEmailBackend) -> None:
    # The messages are sent (or failed) already; a QUIT the server does not answer changes
    # nothing for them.
    with suppress(Exception):
        connection.close()


@contextmanager
def email_session() -> Iterator[None]:
    """Send the block's emails through one connection, opened at the first message."""
    connection = _new_connection()
    token = _session_connection.set(connection)
    try:
        yield
    finally:
        _session_connection.reset(token)
        _close_quietly(connection)


def _send_in_session(connection: BaseEmailBackend, email: EmailMultiAlternatives) -> int:
    try:
        reused = connection.open() is False  # False: it was open already
        try:
            return connection.send_messages([email])
        except smtplib.SMTPServerDisconnected:
            if not reused:
                raise
            # The server dropped the connection while it sat idle between two messages.
            _close_quietly(connection)
            connection.open()
            return connection.send_messages([email])
    except smtplib.SMTPRecipientsRefused:
        raise  # smtplib reset the transaction; the connection is fine for the next one
    except Exception:
        # The connection may be broken (timeout, reset, a refused greeting): the next
        # message of the session opens a fresh one.
        _close_quietly(connection)
        raise


def email_send(message: OutboxMessage) -> str:
    """Send one outbox message by email. Returns the Message-ID."""
    if not message.recipient or "@" not in message.recipient:
        raise PermanentError(f"Not an email address: {message.recipient!r}")
    email = email_message_for(message)
    shared = _session_connection.get()
    try:
        if shared is None:
            sent = _new_connection().send_messages([email])
        else:
            sent = _send_in_session(shared, email)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            raise PermanentError(f"Recipient refused: {exc.recipients}") from exc
        raise TransientError(f"Recipient deferred: {exc.recipients}") from exc
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600:
            raise PermanentError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
        raise TransientError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise TransientError(f"{type(exc).__name__}: {exc}") from exc
    if not sent:
        raise TransientError("The email backend sent nothing.")
    return email.extra_headers["Message-ID"]
