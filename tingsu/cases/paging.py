"""Pages of a case list that load in two steps.

A page (a slice) of the queue first selects only the ids, in the list's order, then loads
those rows with their joins, SLA annotations and prefetches. One query for everything
would compute the SLA subqueries and copy every wide row (descriptions included) of all
matching cases into the sort before LIMIT applies: for a search matching 1% of a million
cases that is ten thousand rows for a page of 25. case_list uses it for searches; an
index-ordered list (the plain queue) stops after 25 rows anyway and keeps one query.
"""

from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.db.models.sql.where import WhereNode


class PagedQuerySet(QuerySet):
    # A text search (case_list uses this class for searches only) is counted faster without
    # its ordering on both engines: tingsu.core.pagination.capped_count reads this.
    count_unordered = True
    # A text search's first plan on PostgreSQL (tingsu.cases.search.RecentFirst).
    _recent_first = None

    def _clone(self):
        clone = super()._clone()
        clone._recent_first = self._recent_first
        return clone

    def count_ahead(self, offset: int, limit: int) -> int | None:
        """How many rows lie within `offset:offset + limit`, when the search's plan can
        tell it faster than a count of this query (see `capped_count`); else None."""
        if self._recent_first is None:
            return None
        return self._recent_first.count_ahead(self, offset, limit)

    @classmethod
    def of(cls, qs: QuerySet) -> "PagedQuerySet":
        paged = qs._chain()
        if not isinstance(paged, cls):
            paged.__class__ = cls
        return paged

    def _fetch_all(self) -> None:
        if self._result_cache is None and self._loads_by_ids():
            ids = None
            if self._recent_first is not None:
                query = self.query
                ids = self._recent_first.page_ids(self, query.low_mark, query.high_mark)
            if ids is None:
                ids = list(self.values_list("pk", flat=True))
            rows = self._chain()
            rows.query.clear_limits()
            rows.query.clear_ordering(force=True)
            # The ids already passed every filter: look them up, do not test them again.
            rows.query.where = WhereNode()
            by_pk = {row.pk: row for row in rows.filter(pk__in=ids)}
            self._result_cache = [by_pk[pk] for pk in ids if pk in by_pk]
            self._prefetch_done = True
            return
        super()._fetch_all()

    def _loads_by_ids(self) -> bool:
        query = self.query
        return (
            query.is_sliced
            and self._iterable_class is ModelIterable
            and not query.combinator
            and not query.distinct
            and not query.select_for_update
        )
