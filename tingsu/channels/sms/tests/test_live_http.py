"""Real HTTP into the running app: signed SMS over a socket, threaded onto the open case."""

import json
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from tingsu.cases.models import AuthorType, Case, CaseEvent, Channel, EventKind
from tingsu.channels.phone.signing import signed_headers
from tingsu.channels.sms.tests.conftest import SMS_URL, sms_payload
from tingsu.core.testing import make_world
from tingsu.customers.models import Customer

pytestmark = pytest.mark.django_db(transaction=True)


def post(url, payload, secret):
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", **signed_headers(secret, body)}
    request = Request(url, data=body, headers=headers, method="POST")
    try:
        with urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_signed_sms_over_http_opens_a_case_and_a_follow_up_joins_it(live_server, sms_secret):
    make_world()
    url = live_server.url + SMS_URL

    status, first = post(url, sms_payload(), sms_secret)
    assert status == 200 and first["outcome"] == "created"

    follow_up = sms_payload(message_id="sms-0002", text="还没处理吗？", **{"from": "13812345678"})
    status, second = post(url, follow_up, sms_secret)
    assert status == 200 and second["outcome"] == "appended"
    assert second["case_number"] == first["case_number"]

    case = Case.objects.select_related("customer").get()
    assert case.channel == Channel.SMS and case.customer.phone == "+8613812345678"
    assert Customer.objects.count() == 1
    timeline = list(CaseEvent.objects.filter(case=case).order_by("id"))
    assert [e.kind for e in timeline] == [EventKind.CREATED, EventKind.MESSAGE]
    assert timeline[1].body == "还没处理吗？" and timeline[1].author_type == AuthorType.CUSTOMER

    status, again = post(url, follow_up, sms_secret)
    assert status == 200 and again == {**second, "duplicate": True}
    assert CaseEvent.objects.filter(case=case, kind=EventKind.MESSAGE).count() == 1
