import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tingsu.cases.models import Case
from tingsu.cases.paging import PagedQuerySet
from tingsu.cases.selectors import CaseFilters, case_list
from tingsu.core.pagination import CappedCount, CappedPaginator, capped_count
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven(world):
    return [make_case(department=world.service) for _ in range(7)]


def test_it_counts_exactly_up_to_the_cap(seven):
    assert capped_count(Case.objects.all(), cap=7) == CappedCount(7, False)
    assert capped_count(Case.objects.all(), cap=6) == CappedCount(6, True)
    assert capped_count(Case.objects.all(), offset=2, cap=5) == CappedCount(7, False)
    assert capped_count(Case.objects.all(), offset=2, cap=4) == CappedCount(6, True)


def test_past_the_end_it_counts_from_the_start(seven):
    assert capped_count(Case.objects.all(), offset=50, cap=10) == CappedCount(7, False)
    assert capped_count(Case.objects.all(), offset=50, cap=3) == CappedCount(3, True)


def test_the_cap_comes_from_the_settings(seven, settings):
    settings.TINGSU_LIST_COUNT_CAP = 4
    assert capped_count(Case.objects.all()) == CappedCount(4, True)


def test_it_counts_ids_only_with_a_limit(world, seven):
    qs = case_list(user=world.root, filters=CaseFilters(sort="due"))
    with CaptureQueriesContext(connection) as ctx:
        capped_count(qs, cap=3)
    [query] = ctx.captured_queries
    sql = query["sql"].lower()
    assert "limit 4" in sql
    # The SLA annotations are for display: the count does not compute them.
    assert "sla_slatimer" not in sql
    # PostgreSQL counts in the page's order (so it walks the page's index), SQLite not.
    assert ("order by" in sql) == (connection.vendor == "postgresql")


def test_an_unordered_count_gives_the_same_figure(world, seven):
    qs = case_list(user=world.root, filters=CaseFilters(sort="due"))
    with CaptureQueriesContext(connection) as ctx:
        unordered = capped_count(qs, cap=3, ordered=False)
    assert "order by" not in ctx.captured_queries[0]["sql"].lower()
    assert unordered == capped_count(qs, cap=3, ordered=True) == CappedCount(3, True)
    assert (
        capped_count(qs, cap=10, ordered=False) == capped_count(qs, cap=10) == CappedCount(7, False)
    )


def test_a_text_search_list_is_counted_without_its_order(world, seven):
    """case_list pages a text search through PagedQuerySet, which asks for the unordered
    count on both engines (faster for a search than the list's order)."""
    qs = PagedQuerySet.of(case_list(user=world.root, filters=CaseFilters(sort="due")))
    with CaptureQueriesContext(connection) as ctx:
        counted = capped_count(qs, cap=3)
    assert "order by" not in ctx.captured_queries[0]["sql"].lower()
    assert counted == CappedCount(3, True)


def test_the_paginator_pages_past_a_capped_count(seven):
    qs = Case.objects.order_by("id")
    ids = list(qs.values_list("id", flat=True))
    paginator = CappedPaginator(qs, 2, cap=3)
    first = paginator.get_page(1)
    assert paginator.count_capped and paginator.count == 3 and paginator.num_pages == 2
    assert first.has_next() and [c.id for c in first] == ids[:2]

    paginator = CappedPaginator(qs, 2, cap=3)
    third = paginator.get_page(3)  # rows 5 and 6; one more follows: exact from here
    assert not paginator.count_capped and paginator.count == 7 and paginator.num_pages == 4
    assert [c.id for c in third] == ids[4:6] and third.has_next()

    paginator = CappedPaginator(qs, 2, cap=8)
    last = paginator.get_page(99)
    assert last.number == 4 and [c.id for c in last] == ids[6:]
    # Past the end of a list longer than the cap: the last page known to exist.
    assert CappedPaginator(qs, 2, cap=3).get_page(99).number == 2
    assert CappedPaginator(qs, 2, cap=3).get_page("x").number == 1
    assert CappedPaginator(qs, 2, cap=3).get_page(-1).number == 2  # last page known


def test_the_paginator_never_counts_less_than_a_page(seven):
    paginator = CappedPaginator(Case.objects.order_by("id"), 5, cap=1)
    page = paginator.get_page(1)
    assert len(page) == 5 and page.has_next() and paginator.count == 5
