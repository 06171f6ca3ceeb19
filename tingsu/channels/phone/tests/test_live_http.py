"""Real HTTP into the running app: a signed CTI call over a socket."""

import json
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from tingsu.cases.models import Case, CaseEvent, Channel, EventKind
from tingsu.channels.phone.models import CallbackTask
from tingsu.channels.phone.signing import signed_headers
from tingsu.channels.phone.tests.conftest import CTI_URL, call_payload
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


def test_signed_cti_calls_over_http_make_a_case_and_a_call_back(live_server, cti_secret):
    world = make_world()
    url = live_server.url + CTI_URL

    status, body = post(url, call_payload(agent="alice"), cti_secret)

    assert status == 200 and body["outcome"] == "created"
    case = Case.objects.select_related("customer", "assignee").get(number=body["case_number"])
    assert case.channel == Channel.PHONE and case.assignee == world.alice
    assert case.customer.phone == "+8613812345678"
    events = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert events[0] == EventKind.CREATED and EventKind.ASSIGNED in events
    assert CaseEvent.objects.get(case=case, kind=EventKind.CREATED).body.startswith("你们的快递")

    status, body = post(url, call_payload(call_id="call-0002", transcript=None), cti_secret)
    assert status == 200 and body["outcome"] == "callback"
    task = CallbackTask.objects.get(pk=body["callback_id"])
    assert task.customer == case.customer and Customer.objects.count() == 1

    status, body = post(url, call_payload(call_id="call-0003"), "wrong-secret")
    assert status == 401 and body["code"] == "not_authenticated"
    assert Case.objects.count() == 1
