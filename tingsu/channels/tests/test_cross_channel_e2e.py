"""End to end over real HTTP: one person complains on WeChat (signed, encrypted callback)
and then by email (raw MIME webhook) about the same matter.

A customer known from the company's CRM ends up with one case holding both messages.
A person WeChat did not know yet becomes two customers; staff merge the customers and
the duplicate cases, and the next email about the matter lands on the one open case.
"""

import json
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.request import Request, urlopen

import pytest
from django.urls import reverse

from tingsu.cases.models import Case, CaseEvent, Channel, EventKind, Status
from tingsu.cases.services import Actor, case_merge
from tingsu.channels.models import InboundRecord, InboundStatus
from tingsu.channels.wechat.models import Mode
from tingsu.channels.wechat.tests.conftest import make_account
from tingsu.channels.wechat.tests.wechat_server import WeChatServer, text_xml
from tingsu.core.testing import make_customer
from tingsu.customers.merge import customer_merge
from tingsu.customers.models import Customer
from tingsu.customers.selectors import customers_by_email

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "e2e-mail-pipe-token"
OPENID = "oE2eCrossChannel_7a6b5c4d3e"
EMAIL = "Wang.Fang@Example.com"

WECHAT_TEXT = "我买的空气净化器收到就坏了，开机没反应，要求换货。订单号 20240611。"
EMAIL_TEXT = "你好，我买的空气净化器收到就是坏的，开机没有反应，希望换货。订单号 20240611。"
THIRD_TEXT = "空气净化器收到就坏了，开机还是没反应，换货到底什么时候处理？订单号 20240611。"


@pytest.fixture(autouse=True)
def mail_token(settings):
    settings.TINGSU = {**settings.TINGSU, "EMAIL_WEBHOOK_TOKEN": TOKEN}


@pytest.fixture
def wechat(db):
    return WeChatServer(account_id=make_account(Mode.SAFE).pk)


def send_wechat(live_server, wechat: WeChatServer, openid: str, text: str) -> dict[str, str]:
    """POST a safe-mode text message as WeChat's servers do; the decrypted passive reply."""
    url, body = wechat.safe(text_xml(openid, text), openid)
    request = Request(
        live_server.url + url, data=body, headers={"Content-Type": "text/xml"}, method="POST"
    )
    with urlopen(request, timeout=10) as response:
        assert response.status == 200
        return wechat.open_reply(response.read())


def send_email(live_server, *, subject: str, text: str, sender: str = EMAIL) -> dict:
    """POST a raw MIME message (UTF-8, encoded headers) to the webhook; its JSON answer."""
    message = EmailMessage()
    message["From"] = f"王芳 <{sender}>"
    message["To"] = "kefu@tingsu.example"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.com")
    message.set_content(text)
    request = Request(
        f"{live_server.url}/channels/email/inbound",
        data=message.as_bytes(),
        headers={"Content-Type": "message/rfc822", "X-Tingsu-Token": TOKEN},
        method="POST",
    )
    with urlopen(request, timeout=10) as response:
        assert response.status in (200, 201)
        return json.loads(response.read())


def messages_of(case: Case) -> list[CaseEvent]:
    """The customer's messages on the timeline: the opening one and the appended ones."""
    return list(
        CaseEvent.objects.filter(
            case=case, kind__in=[EventKind.CREATED, EventKind.MESSAGE]
        ).order_by("id")
    )


def test_a_known_customer_on_wechat_then_email_is_one_customer_and_one_case(
    world, live_server, wechat, client
):
    crm = make_customer(
        name="王芳",
        customer_number="CRM-000731",
        email=EMAIL,
        wechat_openid=OPENID,
        phone="",
    )

    reply = send_wechat(live_server, wechat, OPENID, WECHAT_TEXT)
    case = Case.objects.get()
    assert case.number in reply["Content"]

    answer = send_email(live_server, subject="空气净化器坏了，要求换货", text=EMAIL_TEXT)

    assert answer["outcome"] == "appended" and answer["case_number"] == case.number
    assert Customer.objects.get() == crm
    assert Case.objects.get() == case
    case.refresh_from_db()
    assert case.customer == crm and case.channel == Channel.WECHAT

    first, second = messages_of(case)
    assert first.kind == EventKind.CREATED and first.data["channel"] == Channel.WECHAT
    assert first.body == WECHAT_TEXT
    assert second.kind == EventKind.MESSAGE and second.data["channel"] == Channel.EMAIL
    assert second.body.strip() == EMAIL_TEXT
    # Why the email was appended: same matter, with the similarity score.
    assert second.data["threaded_by"] == "same_matter"
    assert 0.5 <= second.data["similarity"] <= 1
    assert case.number in second.data["reason"]
    assert f"{second.data['similarity']:.2f}" in second.data["reason"]
    records = InboundRecord.objects.order_by("id")
    assert [(r.channel, r.status, r.case_id) for r in records] == [
        (Channel.WECHAT, InboundStatus.PROCESSED, case.pk),
        (Channel.EMAIL, InboundStatus.PROCESSED, case.pk),
    ]

    # The desk timeline shows both channels and the reason to the staff.
    client.force_login(world.root)
    html = client.get(reverse("desk:case", args=[case.number])).content.decode()
    assert 'data-channel="wechat"' in html and 'data-channel="email"' in html
    assert second.data["reason"] in html


def test_an_unknown_wechat_user_who_then_emails_is_merged_by_staff_into_one_customer_and_case(
    world, live_server, wechat
):
    # First contact on WeChat: nobody knows this openid yet.
    send_wechat(live_server, wechat, OPENID, WECHAT_TEXT)
    wechat_customer = Customer.objects.get()
    assert wechat_customer.wechat_openid == OPENID and not wechat_customer.email
    wechat_case = Case.objects.get()

    # The same person by email: nothing ties the address to the openid, so a second
    # customer and a second case about the same matter.
    answer = send_email(live_server, subject="空气净化器坏了，要求换货", text=EMAIL_TEXT)
    assert answer["outcome"] == "created"
    email_case = Case.objects.get(number=answer["case_number"])
    email_customer = email_case.customer
    assert email_customer != wechat_customer
    assert email_customer.email.casefold() == EMAIL.casefold()
    assert Customer.objects.count() == 2 and Case.objects.count() == 2

    # Staff see it is one person and merge the customers: the cases move along.
    staff = Actor.staff(world.carol)
    result = customer_merge(actor=staff, source=email_customer, target=wechat_customer)
    assert sorted(result.moved_cases) == [email_case.number]
    wechat_customer.refresh_from_db()
    assert wechat_customer.wechat_openid == OPENID
    assert wechat_customer.email.casefold() == EMAIL.casefold()
    assert not customers_by_email(email=EMAIL).exclude(pk=wechat_customer.pk)
    assert set(Case.objects.filter(customer=wechat_customer)) == {wechat_case, email_case}

    # The two cases are one matter: merge the duplicate into the first.
    case_merge(actor=staff, case=email_case, into=wechat_case)
    email_case.refresh_from_db()
    assert email_case.status == Status.MERGED and email_case.merged_into == wechat_case
    assert CaseEvent.objects.filter(
        case=wechat_case, kind=EventKind.MERGED, data__merged=email_case.number
    ).exists()

    # A third message by email about the same matter lands on the one open case.
    third = send_email(live_server, subject="Re: 空气净化器换货", text=THIRD_TEXT)
    assert third["outcome"] == "appended" and third["case_number"] == wechat_case.number

    assert customers_by_email(email=EMAIL).get() == wechat_customer
    assert Customer.objects.filter(wechat_openid=OPENID).get() == wechat_customer
    open_cases = Case.objects.filter(customer=wechat_customer).exclude(status=Status.MERGED)
    assert list(open_cases) == [wechat_case]
    assert set(Case.objects.filter(customer=wechat_customer)) == {wechat_case, email_case}
    last = messages_of(wechat_case)[-1]
    assert last.body.strip() == THIRD_TEXT
    assert last.data["channel"] == Channel.EMAIL
    assert last.data["threaded_by"] == "same_matter"
    assert wechat_case.number in last.data["reason"]
    assert [e.data["channel"] for e in messages_of(wechat_case)] == [
        Channel.WECHAT,
        Channel.EMAIL,
    ]
    assert [e.data["channel"] for e in messages_of(email_case)] == [Channel.EMAIL]
