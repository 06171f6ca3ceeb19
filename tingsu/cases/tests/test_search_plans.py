"""PostgreSQL search plans: a term many cases contain is found by reading the list newest
first (and stops at the end of the page); a rare one through the trigram indexes. Either
way the page and its count are those of the plain `icontains` scan, in the list's order.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tingsu.cases import search
from tingsu.cases.models import Case, Status
from tingsu.cases.selectors import CaseFilters, case_list
from tingsu.cases.tests.test_search import scan
from tingsu.core.pagination import CappedCount, CappedPaginator, capped_count
from tingsu.core.testing import make_case, make_customer

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TERM = "翡翠手镯"


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's search plans")


@pytest.fixture
def spread(world):
    """Cases an hour apart, the newest last; returns a maker."""
    start = timezone.now() - timedelta(days=30)
    made = []

    def case(**kw):
        c = make_case(department=world.service, **kw)
        Case.objects.filter(pk=c.pk).update(created_at=start + timedelta(hours=len(made)))
        made.append(c.pk)
        return c

    return case


def newest_first(pks) -> list[int]:
    rows = Case.objects.filter(pk__in=pks).order_by("-created_at", "-id")
    return list(rows.values_list("pk", flat=True))


def page(user, text, low, high, **filters):
    qs = case_list(user=user, filters=CaseFilters(text=text, **filters))
    with CaptureQueriesContext(connection) as ctx:
        rows = [c.pk for c in qs[low:high]]
    return rows, [q["sql"] for q in ctx.captured_queries]


def read_newest_first(queries: list[str]) -> bool:
    """Whether the page's ids came from the window over the list alone (no union of the
    trigram indexes' matches was needed)."""
    return not any(" UNION " in sql for sql in queries) and any(
        ') "cases_case" WHERE' in sql for sql in queries
    )


def test_a_frequent_term_reads_the_newest_cases_and_gives_the_scan_page(world, spread):
    for i in range(12):
        spread(subject=f"售后{i}", description=f"买的{TERM}有裂纹" if i % 2 else "杯子碎了")
    expected = newest_first(scan(TERM))
    assert len(expected) == 6

    first, sql = page(world.root, TERM, 0, 3)
    assert first == expected[:3]
    assert read_newest_first(sql)
    second, _ = page(world.root, TERM, 3, 6)
    assert second == expected[3:6]
    oldest, sql = page(world.root, TERM, 0, 3, sort="oldest")
    assert oldest == expected[::-1][:3]
    assert read_newest_first(sql)


def test_a_rare_term_falls_back_to_the_indexes(world, spread, monkeypatch):
    # The window reads 4 cases: the two matches lie behind 6 newer cases without the term.
    monkeypatch.setattr(search, "RECENT_WINDOW", 4)
    spread(description=f"旧的{TERM}")
    spread(subject=f"{TERM}断了")
    for _ in range(6):
        spread(description="空调漏水")
    expected = newest_first(scan(TERM))
    assert len(expected) == 2

    rows, sql = page(world.root, TERM, 0, 25)
    assert rows == expected
    assert not read_newest_first(sql)
    qs = case_list(user=world.root, filters=CaseFilters(text=TERM))
    assert capped_count(qs, cap=10) == CappedCount(2, False)


def test_a_page_the_window_cannot_fill_comes_from_the_indexes(world, spread, monkeypatch):
    # Three matches among the 5 newest cases, the fourth further back: page 1 of 3 comes
    # from the window, page 2 (rows 3 to 5) needs the indexes.
    monkeypatch.setattr(search, "RECENT_WINDOW", 5)
    spread(description=f"很早的{TERM}")
    for _ in range(3):
        spread(description="空调漏水")
    for i in range(5):
        spread(description=f"{TERM}{i}" if i % 2 == 0 else "屏幕坏了")
    expected = newest_first(scan(TERM))
    assert len(expected) == 4

    first, sql = page(world.root, TERM, 0, 3)
    assert (first, read_newest_first(sql)) == (expected[:3], True)
    second, sql = page(world.root, TERM, 3, 6)
    assert (second, read_newest_first(sql)) == (expected[3:], False)


def test_case_folding_and_customer_names_as_the_scan_has_them(world, spread):
    spread(subject="iPhone SCREEN cracked")
    spread(description="the screen is broken")
    spread(customer=make_customer(name="Screenwise Ltd"), subject="发票")
    spread(subject="空调漏水")
    for term in ("screen", "SCREEN", "Screenwise"):
        expected = newest_first(scan(term))
        rows, sql = page(world.root, term, 0, len(expected))
        assert rows == expected, term
        assert read_newest_first(sql), term


def test_other_filters_apply_inside_the_window(world, spread):
    for i in range(8):
        c = spread(description=f"{TERM}{i}")
        if i % 2:
            Case.objects.filter(pk=c.pk).update(status=Status.CLOSED)
    closed = set(Case.objects.filter(status=Status.CLOSED).values_list("pk", flat=True))
    expected = newest_first(scan(TERM) & closed)
    assert len(expected) == 4
    rows, sql = page(world.root, TERM, 0, 4, status=[Status.CLOSED])
    assert rows == expected
    assert read_newest_first(sql)


def test_a_filter_added_after_the_search_is_not_skipped(world, spread):
    cases = [spread(description=f"{TERM}{i}") for i in range(6)]
    qs = case_list(user=world.root, filters=CaseFilters(text=TERM))
    later = qs.filter(pk__in=[c.pk for c in cases[:3]])
    assert [c.pk for c in later[0:2]] == newest_first([c.pk for c in cases[:3]])[:2]


def test_the_count_stops_at_the_cap_and_counts_customers_once(world, spread):
    named = make_customer(name=f"{TERM}专卖店")
    spread(customer=named, subject=f"{TERM}断了")  # matches twice: counted once
    spread(customer=named, subject="发票")
    for i in range(5):
        spread(description=f"{TERM}{i}")
    spread(description="空调漏水")
    assert len(scan(TERM)) == 7
    qs = case_list(user=world.root, filters=CaseFilters(text=TERM))
    assert capped_count(qs, cap=10) == CappedCount(7, False)
    assert capped_count(qs, cap=4) == CappedCount(4, True)
    paginator = CappedPaginator(qs, 3, cap=10)
    shown = paginator.get_page(3)
    assert (paginator.count, paginator.count_capped) == (7, False)
    assert [c.pk for c in shown] == newest_first(scan(TERM))[6:]
    with CaptureQueriesContext(connection) as ctx:
        capped_count(qs, cap=4)
    [count_sql] = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT")]
    # Row by row (so the count stops at the cap), not the union built whole.
    assert " UNION " not in count_sql and "LIMIT 5" in count_sql


@pytest.fixture
def twelve(spread, monkeypatch):
    """12 cases, a window of 12 read 3 first; `at` are the matches' places, newest = 0."""
    monkeypatch.setattr(search, "RECENT_WINDOW", 12)
    monkeypatch.setattr(search, "RECENT_PROBE", 3)

    def make(at):
        for place in reversed(range(12)):
            spread(description=f"{TERM}{place}" if place in at else "空调漏水")
        return newest_first(scan(TERM))

    return make


def window_reads(queries: list[str]) -> int:
    return sum(') "cases_case" WHERE' in sql for sql in queries)


def test_matches_in_the_first_part_read_on_through_the_window(world, twelve):
    expected = twelve(at={1, 5, 8})
    rows, queries = page(world.root, TERM, 0, 3)
    assert rows == expected
    assert read_newest_first(queries) and window_reads(queries) == 2


def test_no_match_in_the_first_part_goes_to_the_indexes_at_once(world, twelve):
    expected = twelve(at={4, 6, 9})
    rows, queries = page(world.root, TERM, 0, 3)
    assert rows == expected
    assert not read_newest_first(queries) and window_reads(queries) == 1


def test_a_rare_term_takes_the_indexes_once_for_the_count_and_the_page(world, twelve):
    expected = twelve(at={4, 6, 9})
    qs = case_list(user=world.root, filters=CaseFilters(text=TERM))
    paginator = CappedPaginator(qs, 2, cap=10)
    with CaptureQueriesContext(connection) as ctx:
        shown = paginator.get_page(2)
        rows = [c.pk for c in shown]
    assert rows == expected[2:]
    assert (paginator.count, paginator.count_capped, paginator.num_pages) == (3, False, 2)
    assert sum(" UNION " in q["sql"] for q in ctx.captured_queries) == 1


def test_a_short_term_gives_the_scan_page_and_count(world, spread, monkeypatch):
    monkeypatch.setattr(search, "RECENT_WINDOW", 4)  # the two-character term is rare here
    spread(customer=make_customer(name="欧阳翡翠"), subject="发票")
    spread(description="翡翠挂件")
    for _ in range(5):
        spread(description="空调漏水")
    expected = newest_first(scan("翡翠"))
    assert len(expected) == 2
    qs = case_list(user=world.root, filters=CaseFilters(text="翡翠"))
    paginator = CappedPaginator(qs, 25, cap=10)
    shown = paginator.get_page(1)
    assert [c.pk for c in shown] == expected
    assert (paginator.count, paginator.count_capped) == (2, False)


def seqscan() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    ("matches", "through_indexes"), [({2, 15, 30}, True), (set(range(8)), False)]
)
def test_a_thinly_spread_term_is_counted_through_the_indexes(
    world, spread, monkeypatch, matches, through_indexes
):
    # A probe of 10 of a 40-case window, a page of 5: one match in the probe is frequent
    # enough to read the window, but too thin for a count that reads rows until the cap.
    monkeypatch.setattr(search, "RECENT_WINDOW", 40)
    monkeypatch.setattr(search, "RECENT_PROBE", 10)
    monkeypatch.setattr(search, "PAGE_GUESS", 5)
    for place in reversed(range(40)):
        spread(description=f"{TERM}{place}" if place in matches else "空调漏水")
    qs = case_list(user=world.root, filters=CaseFilters(text=TERM))

    with CaptureQueriesContext(connection) as ctx:
        assert capped_count(qs, cap=50) == CappedCount(len(matches), False)
    assert capped_count(qs, cap=2) == CappedCount(2, True)

    told = any("set_config('enable_seqscan', 'off'" in q["sql"] for q in ctx.captured_queries)
    assert told is through_indexes
    assert seqscan() == "on"  # put back for the rest of the request
