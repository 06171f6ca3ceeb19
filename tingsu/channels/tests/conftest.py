import socket
from email import message_from_bytes, policy

import pytest

from tingsu.channels.contracts import Identity, InboundMessage


@pytest.fixture
def inbound():
    """Build an InboundMessage with sensible defaults."""

    def make(body="快递盒子破了，里面的杯子也碎了", **kw):
        identity = kw.pop("identity", None) or Identity(
            name=kw.pop("name", "王小明"),
            email=kw.pop("email", "wang@example.com"),
            phone=kw.pop("phone", ""),
            wechat_openid=kw.pop("openid", ""),
        )
        return InboundMessage(
            channel=kw.pop("channel", "email"), identity=identity, body=body, **kw
        )

    return make


class Inbox:
    """What a real SMTP peer (aiosmtpd) received: one entry per delivery."""

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


@pytest.fixture
def smtp_peer():
    """A real SMTP server on 127.0.0.1:<free port>; yields (inbox, port)."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_peer):
    """Django's SMTP backend pointed at the aiosmtpd peer; yields the inbox."""
    inbox, port = smtp_peer
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "tingsu@tingsu.test"
    return inbox
