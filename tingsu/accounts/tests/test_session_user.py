"""The signed-in user comes with their department, which every desk page shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tingsu.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def department_reads(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith('SELECT "accounts_department"')
        and 'WHERE "accounts_department"."id" =' in q["sql"]
    ]


@pytest.mark.parametrize("how", ["form", "force_login"])
def test_a_desk_page_shows_the_department_without_reading_it_again(world, client, how):
    if how == "form":
        response = client.post("/desk/login/", {"username": "alice", "password": PASSWORD})
        assert response.status_code == 302
    else:
        client.force_login(world.alice)
    with CaptureQueriesContext(connection) as q:
        page = client.get("/desk/")
    assert page.status_code == 200 and world.service.name in page.content.decode()
    assert department_reads(q.captured_queries) == []


def test_a_deactivated_user_is_signed_out(world, client):
    client.force_login(world.alice)
    world.alice.is_active = False
    world.alice.save(update_fields=["is_active"])
    response = client.get("/desk/")
    assert response.status_code == 302 and "/login/" in response["Location"]
