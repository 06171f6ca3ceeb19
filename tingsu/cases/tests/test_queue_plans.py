"""The queue's common filters read an index in the list's order and stop after a page,
instead of sorting every matching case (which grows with the table)."""

import pytest
from django.db import connection

from tingsu.cases.selectors import CaseFilters, case_list
from tingsu.core.testing import make_case


def _plan(qs) -> str:
    sql, params = qs[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.sqlite
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan text")
@pytest.mark.django_db
def test_a_status_filter_across_departments_walks_the_status_index(world):
    for department in (world.service, world.logistics, world.service):
        make_case(department=department)
    plan = _plan(case_list(user=world.root, filters=CaseFilters(status=["new"])))
    assert "case_queue_status" in plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan
