"""A real SMTP peer for tests: aiosmtpd on 127.0.0.1, recording every delivery.

Tests point Django's SMTP backend at it instead of mocking mail, so what reaches the peer is
what a real mail server would receive.
"""

import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from typing import Any


class Inbox:
    """What the SMTP peer received: one parsed message per delivery."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def message_ids(self):
        return [m["Message-ID"] for m in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_peer(inbox: Any = None) -> Iterator[tuple[Any, int]]:
    """Start an SMTP server on a free local port; yields (inbox, port) and stops it.
    `inbox` is the aiosmtpd handler (an `Inbox` unless a test records more)."""
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # a debug line per SMTP command
    inbox = Inbox() if inbox is None else inbox
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def use_smtp_server(settings: Any, port: int) -> None:
    """Point Django's SMTP backend (pytest-django's `settings`) at 127.0.0.1:`port`,
    plain and without login, sending as tingsu@tingsu.test."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "tingsu@tingsu.test"
