import itertools

import pytest

from tingsu.channels.wechat.models import Mode, WeChatAccount
from tingsu.channels.wechat.tests.wechat_server import AES_KEY, APP_ID, TOKEN, WeChatServer

_openids = itertools.count(1)


def make_account(mode: str = Mode.SAFE, **fields) -> WeChatAccount:
    values = {
        "name": "悦家优选服务号",
        "app_id": APP_ID,
        "app_secret": "s3cr3t-app-secret",
        "token": TOKEN,
        "encoding_aes_key": AES_KEY,
        "mode": mode,
        "template_id": "tmpl-case-progress",
    }
    return WeChatAccount.objects.create(**(values | fields))


@pytest.fixture
def safe_account(db):
    return make_account(Mode.SAFE)


@pytest.fixture
def plain_account(db):
    return make_account(Mode.PLAIN)


@pytest.fixture
def wechat(safe_account):
    return WeChatServer(account_id=safe_account.pk)


@pytest.fixture
def wechat_plain(plain_account):
    return WeChatServer(account_id=plain_account.pk)


@pytest.fixture
def openid():
    return f"oUpF8uMuAJO_M2pxb1Q9zNjWeS{next(_openids):03d}"
