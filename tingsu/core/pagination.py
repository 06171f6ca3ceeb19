"""Counting that stops: lists show "1,000+" instead of counting a million rows.

An exact COUNT(*) reads every matching row, so a page that shows the total grows with the
table. `capped_count` counts at most `cap` rows past the start of the page
(`SELECT COUNT(*) FROM (SELECT id … LIMIT cap + 1 OFFSET offset)`): it is exact whenever
the list ends within `cap` rows of the page, and a lower bound, flagged, otherwise.
`CappedPaginator` is Django's paginator on top of it, for the desk's list pages.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

DEFAULT_COUNT_CAP = 1000


def count_cap() -> int:
    """Rows counted past the page start before a list says "N+" (TINGSU_LIST_COUNT_CAP)."""
    return max(1, int(getattr(settings, "TINGSU_LIST_COUNT_CAP", DEFAULT_COUNT_CAP)))


@dataclass(frozen=True)
class CappedCount:
    count: int  # the exact total, or a lower bound when `capped`
    capped: bool


def capped_count(
    qs: QuerySet, *, offset: int = 0, cap: int | None = None, ordered: bool | None = None
) -> CappedCount:
    """How many rows `qs` holds, counting at most `cap` rows past `offset`.

    `ordered` counts in the list's own order. On PostgreSQL that lets the planner walk the
    index that serves the page (a department's assigned and in-progress cases by SLA due,
    1M cases: 136 ms unordered, a bitmap scan of every match, against 3 ms), so it is the
    default there. SQLite plans the ordered count worse for a frequent status (2 ms against
    860 ms at 1M), and a text search is faster unordered on both: a list says so with a
    true `count_unordered` attribute (tingsu.cases.paging.PagedQuerySet)."""
    cap = count_cap() if cap is None else cap
    if ordered is None:
        ordered = connections[qs.db].vendor == "postgresql" and not getattr(
            qs, "count_unordered", False
        )
    # A list may count itself faster (a text search on PostgreSQL:
    # tingsu.cases.search.RecentFirst.count_ahead).
    count_ahead = getattr(qs, "count_ahead", None)
    ahead = count_ahead(offset, cap + 1) if count_ahead is not None else None
    if ahead is None:
        # Only the ids: no joins for display, nor annotations that no filter or ordering
        # uses (the SLA subqueries of the queue, for one).
        ahead = (qs if ordered else qs.order_by()).values("pk")[offset : offset + cap + 1].count()
    if ahead > cap:
        return CappedCount(offset + cap, True)
    if ahead == 0 and offset:
        # Past the end: the total lies before `offset`; count it from the start, capped.
        return capped_count(qs, offset=0, cap=cap, ordered=ordered)
    return CappedCount(offset + ahead, False)


class CappedPage(Page):
    @property
    def count_capped(self) -> bool:
        return self.paginator.count_capped


class CappedPaginator(Paginator):
    """A paginator whose `count` stops `cap` rows past the requested page.

    When the count is capped, `num_pages` is the last page known to exist, `count_capped`
    is true, and any page up to it (or beyond, while rows remain) can be opened."""

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        # At least a page: a capped count then proves that a next page exists.
        self.cap = max(count_cap() if cap is None else cap, self.per_page)
        self._offset = 0

    @cached_property
    def _counted(self) -> CappedCount:
        return capped_count(self.object_list, offset=self._offset, cap=self.cap)

    @cached_property
    def count(self) -> int:
        return self._counted.count

    @property
    def count_capped(self) -> bool:
        return self._counted.capped

    @cached_property
    def num_pages(self) -> int:
        if self._counted.capped:
            # Every row counted fills a page; one more row exists beyond them.
            return self._counted.count // self.per_page + 1
        return super().num_pages

    def _page_number(self, number) -> int:
        if isinstance(number, float) and not number.is_integer():
            raise PageNotAnInteger(self.error_messages["invalid_page"])
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def get_page(self, number) -> Page:
        """The requested page; page 1 if the number is not a number, the last page if it
        is out of range (as Django's paginator does; when the count is capped, the last
        page known to exist)."""
        try:
            number = self._page_number(number)
        except PageNotAnInteger:
            number = 1
        except EmptyPage:
            number = self.num_pages
        # Count from the start of the requested page, so deep pages stay as cheap.
        self._offset = (number - 1) * self.per_page
        if number > self.num_pages:
            number = self.num_pages
        return self.page(number)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if not self.count_capped and top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.object_list[bottom:top], number, self)

    def _get_page(self, *args, **kwargs) -> CappedPage:
        return CappedPage(*args, **kwargs)
