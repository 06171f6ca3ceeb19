"""The case page's SLA card and its actions share one read of the case's timers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tingsu.core.testing import make_case
from tingsu.sla.models import SlaPolicy

pytestmark = pytest.mark.django_db


def test_the_case_page_reads_the_timers_once_and_shows_them(world, client):
    SlaPolicy.objects.filter(key="cn-bank-insurance").update(is_active=True)
    case = make_case(department=world.service, assignee=world.alice, category=world.category)
    client.force_login(world.alice)
    with CaptureQueriesContext(connection) as q:
        page = client.get(f"/desk/cases/{case.number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="sla-extend-form"' in html  # the actions found the running resolution timer
    reads = [x["sql"] for x in q.captured_queries if 'FROM "sla_slatimer"' in x["sql"]]
    assert len(reads) == 1, reads
