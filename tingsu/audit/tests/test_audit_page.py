"""The compliance officer's page: filter, verify, export for a regulator."""

import csv
import io

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from tingsu.audit.models import AuditEntry
from tingsu.audit.services import audit_record
from tingsu.audit.testing import record_entries, tamper
from tingsu.core.testing import PASSWORD

pytestmark = pytest.mark.django_db

URL = reverse("audit:entries")


def login(client, username):
    assert client.login(username=username, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages asserted in English
    return client


@pytest.mark.parametrize("username", ["alice", "carol", "erin"])
def test_it_rejects_staff_without_the_audit_role(client, world, username):
    login(client, username)
    assert client.get(URL).status_code == 404
    assert client.post(reverse("audit:verify")).status_code == 404
    assert client.get(reverse("audit:export", args=["csv"])).status_code == 404


def test_it_sends_an_anonymous_visitor_to_log_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("username", ["quinn", "root"])
def test_compliance_and_admin_see_the_trail(client, world, username):
    record_entries(world.alice, world.service, 2)
    page = login(client, username).get(URL).content.decode()
    assert 'data-testid="audit-entries"' in page and "case.view" in page
    assert 'data-testid="audit-link"' in page


def test_the_desk_shows_no_audit_link_to_an_agent(client, world):
    page = login(client, "alice").get(reverse("desk:queue")).content.decode()
    assert 'data-testid="audit-link"' not in page


def test_it_filters_by_actor_action_object_and_time(client, world):
    record_entries(world.alice, world.service, 2)
    record_entries(world.bob, world.logistics, 1, action="case.assign")
    login(client, "quinn")

    def seqs(**params):
        response = client.get(URL, params)
        return [e.seq for e in response.context["page_obj"]]

    bob = AuditEntry.objects.get(actor_label="bob")
    assert seqs(actor="BOB") == [bob.seq]
    assert seqs(action="case.assign") == [bob.seq]
    assert len(seqs(action="case.")) == 3
    assert seqs(object_type="accounts.department", object_id=str(world.logistics.pk)) == [bob.seq]
    assert seqs(since="2000-01-01T00:00", until="2000-01-02T00:00") == []
    empty = client.get(URL, {"actor": "nobody"}).content.decode()
    assert 'data-testid="no-entries"' in empty
    assert len(seqs(since="2000-01-01")) == 3


def test_it_explains_a_backwards_time_range(client, world):
    login(client, "quinn")
    response = client.get(URL, {"since": "2026-02-01T00:00", "until": "2026-01-01T00:00"})
    assert response.status_code == 200
    assert response.context["page_obj"] is None
    assert 'data-testid="filter-error"' in response.content.decode()


def test_a_garbled_date_is_a_form_error_not_a_crash(client, world):
    login(client, "quinn")
    response = client.get(URL, {"since": "yesterday'; DROP TABLE x"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()


def test_the_list_is_paginated_with_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    record_entries(world.alice, world.service, 60)
    login(client, "quinn")
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert len(response.context["page_obj"]) == 50
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"page": 2, "action": "case.view"})
    assert len(response.context["page_obj"]) == 10
    assert "action=case.view&amp;page=1" in response.content.decode()


def test_verify_shows_an_intact_chain_and_is_itself_audited(client, world):
    record_entries(world.alice, world.service, 3)
    login(client, "quinn")
    response = client.post(reverse("audit:verify"), {"query": "action=case.view"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{URL}?action=case.view"
    assert "3 entries and 0 anchors verified" in response.content.decode()
    entry = AuditEntry.objects.get(action="audit.verify")
    assert entry.actor == world.quinn and entry.changes["ok"] is True


def test_verify_names_the_tampered_entry(client, world):
    record_entries(world.alice, world.service, 3)
    tamper("UPDATE audit_auditentry SET object_id = '999' WHERE seq = 2")
    login(client, "quinn")
    response = client.post(reverse("audit:verify"), follow=True)
    page = response.content.decode()
    assert "Entry #2" in page
    entry = AuditEntry.objects.get(action="audit.verify")
    assert entry.changes == {"ok": False, "checked": 1, "problem": "altered", "seq": 2}


def _formula_entry(world):
    with transaction.atomic():
        audit_record(
            actor=world.alice,
            action="case.update",
            obj=world.service,
            actor_label='=HYPERLINK("http://evil")',
            user_agent="@SUM(1+1)",
        )


def test_it_exports_csv_with_formulas_neutralised_and_audits_the_export(client, world):
    _formula_entry(world)
    login(client, "quinn")
    response = client.get(reverse("audit:export", args=["csv"]), {"action": "case.update"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2
    assert rows[1][2] == '\'=HYPERLINK("http://evil")'
    assert rows[1][8] == "'@SUM(1+1)"
    export = AuditEntry.objects.get(action="audit.export")
    assert export.actor == world.quinn
    assert export.changes == {"format": "csv", "rows": 1, "filters": {"action": "case.update"}}


def test_it_exports_xlsx_with_formulas_neutralised(client, world):
    _formula_entry(world)
    login(client, "quinn")
    response = client.get(reverse("audit:export", args=["xlsx"]), {"action": "case.update"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][2] == '\'=HYPERLINK("http://evil")'
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert AuditEntry.objects.filter(action="audit.export").count() == 1


def test_an_unknown_export_format_is_not_found(client, world):
    login(client, "quinn")
    assert client.get(reverse("audit:export", args=["pdf"])).status_code == 404
    assert not AuditEntry.objects.filter(action="audit.export").exists()


def test_admin_shows_entries_read_only_even_to_a_superuser(client, world):
    (entry,) = record_entries(world.alice, world.service, 1)
    login(client, "root")
    change = reverse("admin:audit_auditentry_change", args=[entry.pk])
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    assert client.post(change, {"action": "case.nothing"}).status_code == 403
    delete = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == "case.view"
