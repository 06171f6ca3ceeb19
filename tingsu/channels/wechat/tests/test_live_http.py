"""Real HTTP into the running app: WeChat's server-URL check and a signed, encrypted message."""

from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest

from tingsu.cases.models import Case, CaseEvent, Channel, EventKind
from tingsu.channels.wechat.models import Mode
from tingsu.channels.wechat.tests.conftest import make_account
from tingsu.channels.wechat.tests.wechat_server import WeChatServer, text_xml

pytestmark = pytest.mark.django_db(transaction=True)
OPENID = "oLiveHttp_9f8e7d6c5b4a3"


def test_a_signed_encrypted_message_over_http_becomes_a_case(live_server):
    account = make_account(Mode.SAFE)
    wechat = WeChatServer(account_id=account.pk)

    query = urlencode(wechat.verify_query("7033591237408870912"))
    with urlopen(f"{live_server.url}{wechat.path}?{query}", timeout=10) as response:
        assert response.read() == b"7033591237408870912"

    url, body = wechat.safe(text_xml(OPENID, "外卖送错了，还撒了一地汤，要求赔偿。"), OPENID)
    request = Request(
        live_server.url + url, data=body, headers={"Content-Type": "text/xml"}, method="POST"
    )
    with urlopen(request, timeout=10) as response:
        assert response.status == 200
        reply = wechat.open_reply(response.read())

    case = Case.objects.select_related("customer").get()
    assert case.channel == Channel.WECHAT
    assert case.customer.wechat_openid == OPENID
    assert CaseEvent.objects.get(case=case, kind=EventKind.CREATED).body.startswith("外卖送错了")
    assert case.number in reply["Content"]
    assert f"/portal/track/{case.number}/?t={case.access_token()}" in reply["Content"]
