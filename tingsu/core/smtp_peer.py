"""A real SMTP peer for tests: aiosmtpd on 127.0.0.1, recording every delivery.

Tests point Django's SMTP backend at it instead of mocking mail, so what reaches the peer is
what a real mail server would receive.
"""

import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy


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
def smtp_peer() -> Iterator[tuple[Inbox, int]]:
    """Start an SMTP server on a free local port; yields (inbox, port) and stops it."""
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # a debug line per SMTP command
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
