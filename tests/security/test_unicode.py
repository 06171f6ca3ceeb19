"""Must-show 10: Chinese, emoji, zero-width and full-width text and 4-byte UTF-8 round-trip
intact through the portal, the API and email intake, and the desk queue search finds them.
Runs on the suite's database (SQLite, and PostgreSQL in `make test`'s second pass); the
`postgres`-marked test names PostgreSQL explicitly."""

import base64

import pytest
from django.db import connection

from tests.security.conftest import portal_complaint
from tingsu.accounts.models import ApiKeyScope
from tingsu.cases.models import Case

pytestmark = pytest.mark.django_db

# 𠮷 (U+20BB7) and 🧧 (U+1F9E7) are 4 bytes in UTF-8; U+200B is a zero-width space;
# ＡＢＣ１２３ are full-width; é is precomposed and e\u0301 decomposed (kept as sent).
SUBJECT = "𠮷野家🧧红包没到账 ＡＢＣ１２３"
DESCRIPTION = (
    "快递\u200b丢了😡，订单号 ＪＤ２０２６；café / cafe\u0301；👨\u200d👩\u200d👧 家庭套餐；𠀀𪚥"
)
SEARCHES = ["𠮷野家", "🧧", "ＡＢＣ１２３", "ＪＤ２０２６", "丢了😡", "\u200b丢了", "𪚥"]


def _assert_intact_and_searchable(client, world, number: str) -> None:
    case = Case.objects.get(number=number)
    assert case.subject == SUBJECT
    assert case.description == DESCRIPTION
    Case.objects.filter(pk=case.pk).update(department=world.service)
    client.force_login(world.carol)
    for term in SEARCHES:
        page = client.get("/desk/", {"q": term}).content.decode()
        assert number in page, term
    detail = client.get(f"/desk/cases/{number}/").content.decode()
    assert SUBJECT in detail
    assert DESCRIPTION in detail


def test_the_portal_form_round_trips_and_the_queue_finds_it(client, world):
    response = client.post(
        "/portal/new/",
        portal_complaint(name="𠮷田 太郎🧧", subject=SUBJECT, description=DESCRIPTION),
    )

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.customer.name == "𠮷田 太郎🧧"
    track = client.get(f"/portal/track/{case.number}/?t={case.access_token()}")
    assert SUBJECT in track.content.decode()
    _assert_intact_and_searchable(client, world, case.number)


def test_the_api_round_trips_and_the_queue_finds_it(client, api_as, world):
    body = {
        "customer": {"name": "𠮷田🧧", "email": "jitian@example.com"},
        "subject": SUBJECT,
        "description": DESCRIPTION,
    }

    response = api_as(None, scopes=[ApiKeyScope.INTAKE]).post("/complaints", body)

    assert response.status_code == 201, response.content
    number = response.json()["number"]
    read = api_as(world.root, scopes=[ApiKeyScope.READ]).get(f"/complaints/{number}")
    assert read.json()["subject"] == SUBJECT
    assert read.json()["description"] == DESCRIPTION
    _assert_intact_and_searchable(client, world, number)


def _encoded_word(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def test_email_intake_round_trips_and_the_queue_finds_it(client, world, email_webhook):
    raw = (
        f"From: {_encoded_word('𠮷田🧧')} <jitian@example.com>\r\n"
        "To: complaints@tingsu.test\r\n"
        f"Subject: {_encoded_word(SUBJECT)}\r\n"
        "Message-ID: <unicode-1@example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n" + base64.encodebytes(DESCRIPTION.encode()).decode().replace("\n", "\r\n")
    ).encode()

    response = email_webhook(raw)

    assert response.status_code == 201, response.content
    _assert_intact_and_searchable(client, world, response.json()["case_number"])


@pytest.mark.postgres
def test_postgresql_keeps_4_byte_utf8_and_finds_it(client, api_as, world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL; `make test` runs this on PostgreSQL")
    test_the_api_round_trips_and_the_queue_finds_it(client, api_as, world)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_encoding")
        assert cursor.fetchone()[0] == "UTF8"
