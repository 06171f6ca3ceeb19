"""The scheduler's planner-statistics job: SQLite gets ANALYZE'd so searches combined with a
common status use the search index rather than the status index."""

import pytest
from django.db import connection

from tingsu.core import maintenance
from tingsu.core.management.commands.scheduler import JOBS
from tingsu.core.testing import make_case


def _stat_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        return {row[0] for row in cursor.fetchall()}


def test_the_scheduler_runs_the_statistics_job():
    assert maintenance.database_analyze_claim_due in JOBS


@pytest.mark.sqlite
@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's autovacuum analyses")
def test_the_job_gathers_statistics_once_and_then_waits_a_day(world, monkeypatch):
    for _ in range(3):
        make_case()
    monkeypatch.setattr(maintenance, "_next_analyze_at", 0.0)

    assert maintenance.database_analyze_claim_due() is False  # never keeps the loop busy
    assert "cases_case" in _stat_tables()

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1")
    maintenance.database_analyze_claim_due()
    assert _stat_tables() == set()  # not again within the day


def test_analyze_gives_the_planner_the_row_count_on_either_engine(world):
    for _ in range(2):
        make_case()
    maintenance.database_analyze()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'cases_case' LIMIT 1")
            rows = int(cursor.fetchone()[0].split()[0])
        else:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'cases_case'")
            rows = int(cursor.fetchone()[0])
    assert rows == 2
