import pytest

from tingsu.channels.contracts import Identity, InboundMessage
from tingsu.core.smtp_peer import smtp_peer as start_smtp_peer
from tingsu.core.smtp_peer import use_smtp_server


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


@pytest.fixture
def smtp_peer():
    """A real SMTP server on 127.0.0.1:<free port>; yields (inbox, port)."""
    with start_smtp_peer() as peer:
        yield peer


@pytest.fixture
def smtp_settings(settings, smtp_peer):
    """Django's SMTP backend pointed at the aiosmtpd peer; yields the inbox."""
    inbox, port = smtp_peer
    use_smtp_server(settings, port)
    return inbox
