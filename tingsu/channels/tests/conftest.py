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
