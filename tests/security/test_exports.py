"""Must-show 7: formula injection in exports. The desk queue export (CSV and XLSX) holds the
cases of the current filter in the user's scope, masked for users without clearance,
formula-safe, bounded and audited."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tingsu.audit.models import AuditEntry
from tingsu.core.exports import safe_cell
from tingsu.core.testing import make_case, make_customer

pytestmark = pytest.mark.django_db

EVIL = ['=HYPERLINK("http://evil","x")', "@SUM(1)", "+1+2", "-2+3", "\t=1", "\r=1"]


def _csv_rows(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("value", EVIL)
def test_safe_cell_prefixes_every_formula_start(value):
    assert safe_cell(value) == "'" + value


def test_safe_cell_keeps_ordinary_text_and_numbers():
    assert safe_cell("杯子碎了") == "杯子碎了"
    assert safe_cell(42) == 42
    assert safe_cell(None) == ""


def _evil_cases(world):
    customer = make_customer(name='=cmd|" /C calc"!A0')
    return [
        make_case(customer=customer, subject=EVIL[0], department=world.service),
        make_case(customer=customer, subject=EVIL[1], department=world.service),
    ]


def test_a_formula_in_a_subject_exports_as_text_in_csv(client, world):
    cases = _evil_cases(world)
    client.force_login(world.carol)

    response = client.get("/desk/export/", {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = _csv_rows(response)
    subjects = {row[7] for row in rows[1:]}
    assert subjects == {"'" + EVIL[0], "'" + EVIL[1]}
    assert all(row[8] == "'" + '=cmd|" /C calc"!A0' for row in rows[1:])
    numbers = {row[0] for row in rows[1:]}
    assert numbers == {c.number for c in cases}
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_a_formula_in_a_subject_exports_as_text_in_xlsx(client, world):
    _evil_cases(world)
    client.force_login(world.carol)

    response = client.get("/desk/export/", {"format": "xlsx"})

    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=2):
        subject = row[7]
        assert subject.data_type == "s"  # a string cell, not a formula ("f")
        assert subject.value in ("'" + EVIL[0], "'" + EVIL[1])
        assert all(cell.data_type != "f" for cell in row)


def test_the_export_holds_only_cases_in_the_users_scope_and_the_current_filter(client, world):
    mine = make_case(subject="客服中心的投诉", department=world.service)
    make_case(subject="物流部的投诉", department=world.logistics)
    make_case(subject="客服中心另一件", department=world.service, severity="urgent")
    client.force_login(world.carol)

    response = client.get("/desk/export/", {"format": "csv", "q": "客服中心的"})

    rows = _csv_rows(response)
    assert [row[0] for row in rows[1:]] == [mine.number]
    client.force_login(world.erin)
    rows = _csv_rows(client.get("/desk/export/", {"format": "csv"}))
    assert [row[7] for row in rows[1:]] == ["物流部的投诉"]


def test_contact_data_is_masked_for_an_agent_and_clear_for_a_supervisor(client, world):
    customer = make_customer(phone="13812345678", email="wangfang@example.com")
    make_case(
        customer=customer,
        department=world.service,
        assignee=world.alice,
        subject="请回电 13987654321",
    )

    client.force_login(world.alice)
    row = _xlsx_rows(client.get("/desk/export/", {"format": "xlsx"}))[1]
    assert "13812345678" not in row and "wangfang@example.com" not in row
    assert row[9].startswith("138") and "*" in row[9]
    assert "*" in row[10]
    assert "13987654321" not in row[7]

    client.force_login(world.carol)
    row = _xlsx_rows(client.get("/desk/export/", {"format": "xlsx"}))[1]
    assert row[9] == "13812345678"
    assert row[10] == "wangfang@example.com"


def test_each_export_is_audited_with_its_filter_and_row_count(client, world):
    make_case(department=world.service)
    make_case(department=world.service)
    client.force_login(world.carol)

    client.get("/desk/export/", {"format": "xlsx", "severity": "normal"})

    entry = AuditEntry.objects.filter(action="cases.export").get()
    assert entry.actor_id == world.carol.pk
    assert entry.changes["rows"] == 2
    assert entry.changes["format"] == "xlsx"
    assert entry.changes["filter"] == {"severity": ["normal"]}


def test_an_export_over_the_row_limit_is_refused_with_a_message(client, world, settings):
    settings.TINGSU = {**settings.TINGSU, "EXPORT_MAX_ROWS": 2}
    for _ in range(3):
        make_case(department=world.service)
    client.force_login(world.carol)

    response = client.get("/desk/export/", {"format": "csv"}, follow=True)

    assert response.redirect_chain[-1][0] == "/desk/?"
    assert "narrow the filter" in response.content.decode() or "缩小" in response.content.decode()
    assert not AuditEntry.objects.filter(action="cases.export").exists()


def test_an_unknown_format_is_refused_without_a_file(client, world):
    client.force_login(world.carol)
    response = client.get("/desk/export/", {"format": "html"})
    assert response.status_code == 302


def test_it_rejects_an_anonymous_export(client, world):
    make_case(department=world.service)
    response = client.get("/desk/export/", {"format": "csv"})
    assert response.status_code == 302
    assert "/desk/login/" in response["Location"]


def test_the_export_query_count_does_not_grow_with_rows(
    client, world, django_assert_max_num_queries
):
    for i in range(30):
        make_case(department=world.service, subject=f"投诉{i}")
    client.force_login(world.carol)
    with django_assert_max_num_queries(12):
        response = client.get("/desk/export/", {"format": "csv"})
        rows = _csv_rows(response)
    assert len(rows) == 31


def test_the_queue_links_to_both_exports_with_the_current_filter(client, world):
    client.force_login(world.carol)
    page = client.get("/desk/", {"severity": "urgent"}).content.decode()
    assert "/desk/export/?severity=urgent&amp;format=csv" in page
    assert "/desk/export/?severity=urgent&amp;format=xlsx" in page
