"""A large seed drops the bulk tables' secondary and search indexes and builds them again:
the schema afterwards must be exactly the one before, and search must find seeded text."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.models import Min, Q

from tingsu.cases.models import Case
from tingsu.cases.search import search_cases
from tingsu.demo import seeding
from tingsu.sla.models import SlaPolicy

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _sla_defaults():
    """The seed's timers need the SLA policies the migrations load, which an earlier
    transactional test in the same process may have flushed."""
    if not SlaPolicy.objects.exists():
        importlib.import_module("tingsu.sla.migrations.0002_seed").seed(django_apps, None)


def schema() -> set[tuple]:
    """Every index and trigger (and on SQLite the FTS tables) with its definition."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tablename, indexname, indexdef FROM pg_indexes"
                " WHERE schemaname = current_schema()"
            )
            rows = {("index", *row) for row in cursor.fetchall()}
            # Internal triggers are those of foreign keys, named by oid: compared as the
            # constraints they serve.
            cursor.execute(
                "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger"
                " WHERE NOT tgisinternal"
            )
            rows |= {("trigger", *row) for row in cursor.fetchall()}
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
            )
            return rows | {("constraint", *row) for row in cursor.fetchall()}
        cursor.execute(
            "SELECT type, tbl_name, name, sql FROM sqlite_master WHERE type <> 'table'"
            " OR name LIKE '%fts%'"
        )
        return set(cursor.fetchall())


def indexes_of_cases() -> set[str]:
    with connection.cursor() as cursor:
        return {
            name
            for name, info in connection.introspection.get_constraints(cursor, "cases_case").items()
            if info["index"] and not info["unique"] and not info["primary_key"]
        }


def matches(term: str) -> set[int]:
    """The cases whose indexed text contains `term` (no cased letters: plain `in`)."""
    return {
        case.pk
        for case in Case.objects.select_related("customer")
        if any(
            term in value
            for value in (
                case.number,
                case.subject,
                case.description,
                case.order_number,
                case.customer.name if case.customer else "",
            )
        )
    }


def test_a_large_seed_leaves_every_index_and_trigger_as_it_was_and_search_finds_its_text():
    before = schema()
    during: list[set[str]] = []

    result = seeding.seed_cases(
        count=200, batch=80, progress=lambda n: during.append(indexes_of_cases())
    )

    assert schema() == before
    # While it loaded, the cases table had no secondary index left to maintain.
    assert during and not any(during)
    assert indexes_of_cases()
    assert result.index_seconds > 0
    # The SLA deadline the queue sorts by, kept by triggers the load drops, is recomputed.
    running = Case.objects.annotate(
        due=Min(
            "sla_timers__due_at", filter=Q(sla_timers__stopped_at=None, sla_timers__paused_at=None)
        )
    )
    assert all(case.sla_due_at == case.due for case in running)
    assert any(case.due for case in running)
    description = Case.objects.order_by("pk").first().description
    for term in (description[4:8], seeding.SEARCH_MARKER):
        found = set(search_cases(Case.objects.all(), term).values_list("pk", flat=True))
        assert found == matches(term)
        assert found or term == seeding.SEARCH_MARKER  # the marker is in ~1% of cases


def test_a_seed_that_fails_midway_still_puts_the_indexes_back(monkeypatch):
    before = schema()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(seeding, "_timers", broken)
    with pytest.raises(RuntimeError):
        seeding.seed_cases(count=50)

    assert schema() == before
    assert not Case.objects.exists()
