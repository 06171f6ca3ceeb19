"""Choice lists are read with one plain SELECT: on PostgreSQL Django's default reads them
through a server-side cursor (DECLARE, FETCH, CLOSE), three round trips per list."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tingsu.accounts.models import Department
from tingsu.core.forms import ModelChoiceField
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db


class DepartmentForm(forms.Form):
    department = ModelChoiceField(queryset=Department.objects.order_by("name"), required=False)


def test_the_choices_are_the_queryset_in_order_after_the_empty_label(world):
    choices = list(DepartmentForm().fields["department"].choices)
    names = sorted(Department.objects.values_list("name", flat=True))
    assert choices[0] == ("", "---------")
    assert [label for _value, label in choices[1:]] == names


@pytest.mark.postgres
def test_a_form_and_a_desk_page_open_no_server_side_cursor(world, client):
    with CaptureQueriesContext(connection) as q:
        html = DepartmentForm().as_p()
    assert [x["sql"] for x in q.captured_queries if "DECLARE" in x["sql"]] == []
    assert len(q.captured_queries) == 1 and world.service.name in html

    case = make_case(department=world.service, assignee=world.alice, category=world.category)
    client.force_login(world.carol)
    with CaptureQueriesContext(connection) as q:
        assert client.get(f"/desk/cases/{case.number}/").status_code == 200
        assert client.get("/desk/").status_code == 200
    assert [x["sql"][:80] for x in q.captured_queries if "DECLARE" in x["sql"]] == []
