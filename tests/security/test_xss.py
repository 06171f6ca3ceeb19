"""Must-show 1: stored XSS through complaint text, customer name, email HTML and attachment
names. Every page that shows them (desk case page, queue, staff notifications, portal
tracking page) sends them escaped, and HTML email is sanitised with nh3."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.security.conftest import portal_complaint
from tingsu.cases.models import Attachment, Case
from tingsu.cases.services import Actor, case_assign
from tingsu.channels.email.parser import html_sanitize
from tingsu.channels.models import InboundRecord

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('xss')</script>"
IMG = '<img src=x onerror="alert(1)">'
SVG = "<svg/onload=alert(2)>"
LINK = '<a href="javascript:alert(3)">click</a>'
PAYLOADS = [SCRIPT, IMG, SVG, LINK]
# What must never appear in a page's source: the payloads as live markup.
LIVE = ["<script>alert", "<img src=x onerror", "<svg/onload", '<a href="javascript:']
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def assert_escaped(html: str) -> None:
    for live in LIVE:
        assert live not in html, live
    assert "&lt;script&gt;alert(" in html or "&lt;script&gt;" in html


@pytest.fixture
def hostile_case(client, world):
    """A complaint filed on the portal with markup in every text field and a file name."""
    files = [SimpleUploadedFile(f"{IMG}.png", PNG, content_type="image/png")]
    data = portal_complaint(
        name=f"王芳{SCRIPT}",
        subject=f"杯子碎了{SCRIPT}{SVG}",
        description=f"详情 {IMG} {LINK} {SCRIPT}",
        order_number="JD1<b>2</b>",
        attachments=files,
    )
    response = client.post("/portal/new/", data)
    assert response.status_code == 302, response.content
    case = Case.objects.get()
    Case.objects.filter(pk=case.pk).update(department=world.service)
    return case


def test_the_desk_case_page_shows_it_escaped(client, world, hostile_case):
    assert Attachment.objects.get().filename.startswith("<img")
    client.force_login(world.carol)

    response = client.get(f"/desk/cases/{hostile_case.number}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert_escaped(html)
    assert "&lt;img src=x onerror=" in html  # the file name, shown as text
    assert "Content-Security-Policy" in response


def test_the_queue_shows_it_escaped(client, world, hostile_case):
    client.force_login(world.carol)

    response = client.get("/desk/", {"q": "杯子碎了"})

    html = response.content.decode()
    assert hostile_case.number in html
    assert_escaped(html)
    assert "Content-Security-Policy" in response


def test_the_portal_tracking_page_shows_it_escaped(client, world, hostile_case):
    url = f"/portal/track/{hostile_case.number}/?t={hostile_case.access_token()}"

    response = client.get(url)

    assert response.status_code == 200
    assert_escaped(response.content.decode())
    assert "Content-Security-Policy" in response


def test_a_staff_notification_shows_it_escaped(client, world, hostile_case):
    case_assign(actor=Actor.staff(world.carol), case=hostile_case, assignee=world.alice)
    client.force_login(world.alice)

    response = client.get("/desk/notifications/")

    html = response.content.decode()
    assert hostile_case.number in html
    for live in LIVE:
        assert live not in html


def test_a_csp_without_inline_script_is_sent_on_pages(client, world):
    client.force_login(world.carol)
    for response in (client.get("/desk/"), client.get("/portal/")):
        policy = response["Content-Security-Policy"]
        assert "script-src" in policy or "default-src" in policy
        assert "'unsafe-inline'" not in policy.split("script-src", 1)[-1].split(";")[0]


HOSTILE_EMAIL_HTML = (
    "<html><head><style>body{background:url(javascript:alert(9))}</style></head><body>"
    '<p style="color:red" onclick="alert(4)">快递破损</p>'
    "<script>alert('mail')</script>"
    '<img src=x onerror="alert(5)">'
    '<a href="javascript:alert(6)">看这里</a> '
    '<a href="data:text/html,<script>alert(7)</script>">数据</a> '
    '<a href="https://shop.example.com/order/1" onmouseover="alert(8)">订单</a> '
    '<a href="mailto:help@shop.example.com">邮件</a>'
    '<iframe src="https://evil.test"></iframe>'
    "</body></html>"
)


def _mime(html: str) -> bytes:
    return (
        "From: =?utf-8?b?546L6Iqz?= <wf@example.com>\r\n"
        "To: complaints@tingsu.test\r\n"
        "Subject: =?utf-8?b?5b+r6YCS56C05o2f?=\r\n"
        "Message-ID: <xss-1@example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n" + html + "\r\n"
    ).encode()


def test_html_email_is_sanitised_and_shown_escaped(client, world, email_webhook):
    response = email_webhook(_mime(HOSTILE_EMAIL_HTML))
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["case_number"])

    kept = InboundRecord.objects.get().meta["html"]
    assert "<script" not in kept and "<style" not in kept and "<iframe" not in kept
    assert "onclick" not in kept and "onerror" not in kept and "onmouseover" not in kept
    assert "style=" not in kept
    assert "javascript:" not in kept and "data:text/html" not in kept
    assert 'href="https://shop.example.com/order/1"' in kept
    assert 'href="mailto:help@shop.example.com"' in kept
    assert "快递破损" in case.description

    Case.objects.filter(pk=case.pk).update(department=world.service)
    client.force_login(world.carol)
    page = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert "<script>alert" not in page and "onerror=" not in page.replace("&quot;", '"')
    assert "javascript:alert" not in page


@pytest.mark.parametrize(
    ("dirty", "absent"),
    [
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
        ('<a href="vbscript:msgbox(1)">x</a>', "vbscript"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:"),
        ("<p onmouseover=alert(1)>x</p>", "onmouseover"),
        ('<p style="background:url(x)">x</p>', "style"),
        ("<svg><script>alert(1)</script></svg>", "<script"),
        ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "onerror"),
    ],
)
def test_the_email_sanitiser_allows_only_safe_links_and_no_script_or_style(dirty, absent):
    assert absent not in html_sanitize(dirty)
