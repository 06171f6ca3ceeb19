"""Must-show 11: a row edited directly in the database is caught by `tingsu audit verify`.

The complaint is filed through the running app; the intruder then works on the database
directly, first plainly (refused by the trigger), then with the triggers switched off, as
a database owner can. The chain names the edited entry, on the command line and on the
compliance officer's page.
"""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import translation

from tests.security.conftest import portal_complaint
from tingsu.audit.models import AuditEntry
from tingsu.audit.testing import tamper

pytestmark = pytest.mark.django_db


def verify_command() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        with translation.override("en"):
            call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code), err.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def filed(client, world):
    response = client.post(
        reverse("portal:new"),
        portal_complaint(),
        REMOTE_ADDR="198.51.100.23",
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone) MicroMessenger",
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="case.create").get()
    assert entry.ip == "198.51.100.23" and "MicroMessenger" in entry.user_agent
    return entry


def test_a_plain_sql_edit_of_an_audit_row_is_refused(filed):
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET actor_label = 'nobody' WHERE id = %s", (filed.pk,)
        )
    assert verify_command()[0] == 0


def test_a_row_edited_with_the_triggers_off_is_named_by_verify(filed, staff_client, world):
    code, output = verify_command()
    assert code == 0 and "OK" in output

    tamper("UPDATE audit_auditentry SET actor_label = 'nobody' WHERE id = %s", (filed.pk,))

    code, output = verify_command()
    assert code == 1
    assert f"Entry #{filed.seq} (id {filed.pk}) was altered" in output

    quinn = staff_client(world.quinn)
    quinn.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = quinn.post(reverse("audit:verify"), follow=True)
    assert f"Entry #{filed.seq}" in page.content.decode()


def test_a_removed_row_is_named_by_verify(filed, staff_client, world):
    staff_client(world.alice).get(reverse("desk:queue"))
    with transaction.atomic():
        from tingsu.audit.services import audit_record

        audit_record(actor=world.alice, action="case.view", obj=world.service)
    tamper("DELETE FROM audit_auditentry WHERE id = %s", (filed.pk,))
    code, output = verify_command()
    assert code == 1
    assert f"Entries #{filed.seq} to #{filed.seq} were removed" in output
