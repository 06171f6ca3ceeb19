"""Case text search: a case-insensitive substring of the number, subject, description,
order number or customer name, or the customer's exact phone or email (blind index).

The meaning is the plain `icontains` scan; this module only finds the rows through an
index so a search does not read every case:

- SQLite: FTS5 tables with the `trigram` tokenizer (`cases_case_fts` over number, subject,
  description and order number; `cases_customer_fts` over customer names), external
  content kept in sync by triggers (migration 0002_search_index). The FTS match only
  narrows the candidates; the same `icontains` conditions then decide, so the results are
  exactly those of the scan (FTS folds case beyond ASCII, SQLite's LIKE does not).
- PostgreSQL: pg_trgm GIN indexes on `UPPER(col::text)`, the expression Django's
  `icontains` compares, so the planner uses them for the very same filter.

On PostgreSQL a list searched newest (or oldest) first picks its plan by the term's
frequency (`RecentFirst`): the first cases of the list, read in its order, show whether
the term is frequent; a frequent term's page is then read from the list itself (it stops
at the page's end) and its capped count from one bitmap of the indexes (it stops at the
cap); a rare term's page and count come from one indexed search in the list's order.
Both give exactly the rows of the `icontains` scan.

Trigrams need at least three characters. A shorter term (e.g. 漏水) falls back to the
scan on SQLite; on PostgreSQL the planner decides (a GIN index cannot narrow it either).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, connections, transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from tingsu.cases.models import Case
from tingsu.customers.models import Customer
from tingsu.customers.phones import looks_like_phone
from tingsu.customers.selectors import customer_email_q, customer_phone_q

# Shortest term an index can narrow (a trigram is three characters).
MIN_INDEXED_LENGTH = 3

CASE_FTS = "cases_case_fts"
CUSTOMER_FTS = "cases_customer_fts"
CASE_FTS_COLUMNS = ("number", "subject", "description", "order_number")


def case_text_q(text: str) -> Q:
    """Q over cases matching the search term `text` (already stripped, not empty)."""
    fields = Q()
    for column in CASE_FTS_COLUMNS:
        fields |= Q(**{f"{column}__icontains": text})
    name = Q(name__icontains=text)
    # Contact data is encrypted: exact match through the blind index only.
    contact = Q()
    if looks_like_phone(text):
        contact |= customer_phone_q(text)
    if "@" in text:
        contact |= customer_email_q(text)

    if connection.vendor == "sqlite" and len(text) >= MIN_INDEXED_LENGTH:
        phrase = _fts_phrase(text)
        named = Q(pk__in=_fts_rowids(CUSTOMER_FTS, phrase))
        if _has_case(text):
            # FTS5 folds all of Unicode, LIKE only ASCII: LIKE decides among the candidates.
            named &= name
        customers = Customer.objects.filter(named | contact).order_by().values("pk")
        of_customers = Case.objects.filter(customer__in=customers).order_by().values("pk")
        if _has_case(text):
            cases = Case.objects.filter(fields, pk__in=_fts_rowids(CASE_FTS, phrase))
            return Q(pk__in=cases.order_by().values("pk").union(of_customers))
        # The index's rowids as they are (no second read of each matching case), and the
        # customers' cases: one set, so the planner starts from it (with ANALYZE statistics,
        # also when a status or department filter is combined).
        sql, params = of_customers.query.sql_with_params()
        return Q(
            pk__in=RawSQL(  # noqa: S611 (identifiers are constants, values are parameters)
                f"SELECT rowid FROM {CASE_FTS} WHERE {CASE_FTS} MATCH %s UNION {sql}",  # noqa: S608
                [phrase, *params],
            )
        )

    customers = Customer.objects.filter(name | contact).order_by().values("pk")
    # One set of ids (PostgreSQL: a BitmapOr over the trigram indexes, and the customers'
    # cases), so the outer query (sorted, paged, counted) joins it once instead of testing
    # each branch on every row.
    cases = Case.objects.filter(fields).order_by().values("pk")
    of_customers = Case.objects.filter(customer__in=customers).order_by().values("pk")
    return Q(pk__in=cases.union(of_customers))


def _may_fold(text: str) -> bool:
    """Whether `UPPER()` can matter for a substring match of `text`: it has a cased
    character, or one outside ASCII and the CJK blocks (from U+3000), where case mappings
    of other characters could produce it."""
    return _has_case(text) or any(0x80 <= ord(c) < 0x3000 for c in text)


def _has_case(text: str) -> bool:
    """Whether case folding can change a match: without any cased character (Chinese,
    digits, punctuation) the trigram match is exactly the substring match."""
    return any(c.lower() != c or c.upper() != c for c in text)


def search_cases(qs: QuerySet, text: str) -> QuerySet:
    text = text.strip()
    if not text:
        return qs
    found = qs.filter(case_text_q(text))
    if connections[qs.db].vendor == "postgresql":
        from tingsu.cases.paging import PagedQuerySet

        found = PagedQuerySet.of(found)
        found._recent_first = RecentFirst(base=qs, text=text, where=repr(found.query.where))
    return found


# PostgreSQL, newest or oldest first: how many cases of the list (in its order) the first
# plan reads before it gives up and the indexes decide. A term in 1% of cases fills a page
# of 25 after about 2,500 of them; a rarer one reads all of them, then takes the indexes.
RECENT_WINDOW = 4000
# Of which the first are read on their own: a term none of them contains (less than about
# 0.1% of cases) costs that part only before the indexes.
RECENT_PROBE = 1000
# The page a count expects (the desk's 25 rows) when it decides between the two plans.
PAGE_GUESS = 25
RECENT_WINDOW_MAX = 20000
# Lists whose order an index on created_at serves: the window is read in that order.
_WINDOW_ORDERS = {("-created_at", "-id"), ("created_at", "id")}


@dataclass(frozen=True)
class RecentFirst:
    """The first plan of a search page on PostgreSQL, for terms many cases contain.

    The indexed search (`case_text_q`) must find and recheck every case containing the
    term before it can sort them: for a term in 1% of a million cases that is ten thousand
    rows for a page of 25. Here the list is read in its own order instead, at most
    `window` cases of it (`RECENT_PROBE` of them first), testing the same `icontains`
    conditions on each, and stops at the end of the page. A page found that way is the
    page (every case past the window is older, or newer, than all of it); when the window
    holds fewer matches than the page needs, the term is rare and the indexed search gives
    the page.

    `base` is the list before the search; `where` the searched list's filters when it was
    made, so a filter added later (which the window would not apply) disables this plan.
    `memo` lives as long as the list (one request): a list kept and paged again after the
    cases changed may serve the ids its count found before.
    """

    base: QuerySet
    text: str
    where: str
    # Within one list (its clones share this object): the probe's matches, and the ids the
    # indexed search gave, by order.
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def _usable(self, searched: QuerySet) -> tuple | None:
        query = searched.query
        order = tuple(query.order_by)
        if order not in _WINDOW_ORDERS or repr(query.where) != self.where:
            return None
        return order

    def _probe(self, searched: QuerySet, order: tuple, limit: int) -> tuple[list[int], int]:
        """The first `limit` matches among the first cases of the window, and how many
        cases that part holds. All of that part's matches when fewer than `limit`."""
        probe = min(RECENT_PROBE, RECENT_WINDOW)
        known = self.memo.get(("probe", order))
        if known is not None and (len(known[0]) < known[1] or len(known[0]) >= limit):
            return known[0][:limit], probe
        ids = self._window_ids(searched, order, 0, probe, limit)
        self.memo[("probe", order)] = (ids, limit)
        return ids, probe

    @staticmethod
    def _frequent(found: int, probe: int, window: int, needed: int) -> bool:
        # Going by the first part, the whole window would give at least half the page.
        return found * window * 2 >= needed * probe

    def page_ids(self, searched: QuerySet, low: int, high: int | None) -> list[int] | None:
        """The ids of rows `low:high` of `searched`, or None when this plan cannot tell."""
        order = self._usable(searched)
        if order is None or high is None or high <= low:
            return None
        indexed = self.memo.get(("indexed", order))
        if indexed is not None:
            ids, complete = indexed
            if high <= len(ids) or complete:
                return ids[low:high]
        window = min(RECENT_WINDOW_MAX, max(RECENT_WINDOW, high * RECENT_WINDOW // 25))
        # First a part of the window: a term too rare to fill the page from the whole
        # window (going by the matches in that part) goes to the indexes at once.
        ids, probe = self._probe(searched, order, high)
        if len(ids) < high and probe < window and self._frequent(len(ids), probe, window, high):
            ids += self._window_ids(searched, order, probe, window, high - len(ids))
        return ids[low:high] if len(ids) == high else None

    def count_ahead(self, searched: QuerySet, offset: int, limit: int) -> int | None:
        """How many rows of `searched` lie within `offset:offset + limit`, or None.

        The probe (the first cases of the window) tells a frequent term from a rare one.
        A frequent term is counted row by row, so the count stops at the limit
        (`countable`). A rare one takes the indexed search once, in the list's order, for
        the count and the page alike (the page's ids are kept): for a case number, say,
        the trigram index's lookup is most of the cost (1M: 76 of 98 ms), paid once."""
        order = self._usable(searched)
        if order is None:
            return None
        found, probe = self._probe(searched, order, PAGE_GUESS)
        if self._frequent(len(found), probe, RECENT_WINDOW, PAGE_GUESS):
            countable = self.countable(searched)
            if countable is None:
                return None
            capped = countable.order_by().values("pk")[offset : offset + limit]
            if len(found) >= PAGE_GUESS:
                return capped.count()
            # Fewer than one case in PAGE_GUESS-per-probe has the term (1M, a term in 1%:
            # found in 10 of 1,000). Reading rows until the cap would read about a hundred
            # per match, yet the planner, going by its row estimate, reads the table
            # (1M: 108,000 rows, 283 ms); the indexes' bitmap gives the same count in 15.
            with _indexes_preferred(searched.db):
                return capped.count()
        listed = searched
        if len(self.text) < MIN_INDEXED_LENGTH and not _may_fold(self.text):
            # No index narrows a term this short: every case is read, so without UPPER()
            # (1M cases, 2 characters: 4.0 -> 1.8 s).
            listed = self.base.filter(_row_text_q(self.text)).order_by(*order)
        ids = list(listed.values_list("pk", flat=True)[: offset + limit])
        self.memo[("indexed", order)] = (ids, len(ids) < offset + limit)
        return max(0, len(ids) - offset)

    def _window_ids(self, searched: QuerySet, order, start: int, stop: int, limit: int):
        """The first `limit` matches among rows `start:stop` of the list, in its order."""
        inner = self.base.order_by(*order).values(
            "id", "created_at", "customer_id", *CASE_FTS_COLUMNS
        )[start:stop]
        # The same conditions, on the window's rows (a table of the same name and columns).
        outer = (
            Case.objects.filter(_row_text_q(self.text))
            .order_by(*order)
            .values_list("id", flat=True)[:limit]
        )
        inner_sql, inner_params = inner.query.sql_with_params()
        outer_sql, outer_params = outer.query.sql_with_params()
        table = connections[searched.db].ops.quote_name(Case._meta.db_table)
        head, source, tail = outer_sql.partition(f" FROM {table} WHERE ")
        if not source:  # not the query shape expected: the indexes give the page
            return []
        sql = f"{head} FROM ({inner_sql}) {table} WHERE {tail}"
        with connections[searched.db].cursor() as cursor:
            cursor.execute(sql, [*inner_params, *outer_params])
            return [pk for (pk,) in cursor.fetchall()]

    def countable(self, searched: QuerySet) -> QuerySet | None:
        """The searched list in a form that a capped count can stop early in, or None.

        `case_text_q` gives one set of ids (a union), which PostgreSQL builds whole before
        the count's LIMIT: every case containing the term, each read and rechecked. Here
        the same conditions are OR-ed row by row, with the matching customers' ids as
        values, so the planner combines the trigram indexes and the customer index in one
        bitmap and the count stops after `cap + 1` matches."""
        if repr(searched.query.where) != self.where:
            return None
        customers = list(
            Customer.objects.filter(_contact_q(self.text))
            .order_by()
            .values_list("pk", flat=True)[: COUNT_CUSTOMERS_MAX + 1]
        )
        if len(customers) > COUNT_CUSTOMERS_MAX:
            return None
        fields = Q()
        for column in CASE_FTS_COLUMNS:
            fields |= Q(**{f"{column}__icontains": self.text})
        if customers:
            fields |= Q(customer_id__in=customers)
        return self.base.filter(fields)


# A term in more customers' names than this is counted through the union.
COUNT_CUSTOMERS_MAX = 500


@contextmanager
def _indexes_preferred(using: str) -> Iterator[None]:
    """PostgreSQL's planner told not to read whole tables for the queries inside, then put
    back as it was (in a savepoint: an error inside rolls the setting back with it)."""
    db = connections[using]
    if db.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using):
        with db.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('enable_seqscan'), "
                "set_config('enable_seqscan', 'off', true)"
            )
            [(before, _off)] = cursor.fetchall()
        yield
        with db.cursor() as cursor:
            cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [before])


def _contact_q(text: str) -> Q:
    """Customers whose name contains `text`, or with this exact phone or email."""
    contact = Q(name__icontains=text)
    if looks_like_phone(text):
        contact |= customer_phone_q(text)
    if "@" in text:
        contact |= customer_email_q(text)
    return contact


def _row_text_q(text: str) -> Q:
    """`case_text_q` tested on each row (no set of ids), as `icontains` conditions.

    A term without cased characters (Chinese, digits, ASCII punctuation) is compared
    without `UPPER()`, which changes nothing then but costs five times the comparison
    (20,000 cases: 214 against 41 ms)."""
    lookup = "icontains" if _may_fold(text) else "contains"
    fields = Q()
    for column in CASE_FTS_COLUMNS:
        fields |= Q(**{f"{column}__{lookup}": text})
    customers = Customer.objects.filter(_contact_q(text)).order_by().values("pk")
    return fields | Q(customer__in=customers)


def _fts_phrase(text: str) -> str:
    # One FTS5 string: the trigram tokenizer matches it as a substring.
    return '"' + text.replace('"', '""') + '"'


def _fts_rowids(table: str, phrase: str) -> RawSQL:
    # `table` is one of this module's constants; the term goes in as a parameter.
    return RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [phrase])  # noqa: S608, S611


# The indexes, created by migration 0002_search_index and repaired after every migrate
# (`ensure_search_index`): on SQLite, a migration that rebuilds cases_case or
# customers_customer (Django copies the table and drops the old one) drops its triggers.
_SQLITE_INDEXED = {
    # fts table: (content table, columns)
    CASE_FTS: ("cases_case", CASE_FTS_COLUMNS),
    CUSTOMER_FTS: ("customers_customer", ("name",)),
}
_PG_INDEXED = {
    "cases_case_number_trgm": ("cases_case", "number"),
    "cases_case_subject_trgm": ("cases_case", "subject"),
    "cases_case_description_trgm": ("cases_case", "description"),
    "cases_case_order_number_trgm": ("cases_case", "order_number"),
    "cases_customer_name_trgm": ("customers_customer", "name"),
}


def _sqlite_triggers(fts: str) -> dict[str, str]:
    content, columns = _SQLITE_INDEXED[fts]
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    # Identifiers only, from this module's constants.
    add = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"  # noqa: S608
    remove = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"  # noqa: S608
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
    return {
        f"{fts}_insert": f"AFTER INSERT ON {content} BEGIN {add} END",
        f"{fts}_delete": f"AFTER DELETE ON {content} BEGIN {remove} END",
        # Django's save() sets every column: reindex only when an indexed one changed.
        f"{fts}_update": (
            f"AFTER UPDATE OF {names} ON {content} WHEN {changed} BEGIN {remove} {add} END"
        ),
    }


def create_search_index(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for fts, (content, columns) in _SQLITE_INDEXED.items():
            schema_editor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({', '.join(columns)}, "
                f"content='{content}', content_rowid='id', tokenize='trigram')"
            )
            _sqlite_install(schema_editor.execute, fts)
    elif vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for index, (table, column) in _PG_INDEXED.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {index} ON {table} "
                f"USING gin (UPPER({column}::text) gin_trgm_ops)"
            )


def drop_search_index(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for fts in _SQLITE_INDEXED:
            for trigger in _sqlite_triggers(fts):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {fts}")
    elif vendor == "postgresql":
        for index in _PG_INDEXED:
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


def _sqlite_install(execute, fts: str) -> None:
    for trigger, body in _sqlite_triggers(fts).items():
        execute(f"CREATE TRIGGER IF NOT EXISTS {trigger} {body}")
    execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608


def ensure_search_index(using: str) -> list[str]:
    """Put back SQLite search triggers a table rebuild dropped, and refill that index.

    Returns the FTS tables repaired (none when all is in place, or on PostgreSQL)."""
    conn = connections[using]
    if conn.vendor != "sqlite":
        return []
    with conn.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {name for (name,) in cursor.fetchall()}
        repaired = []
        for fts in _SQLITE_INDEXED:
            if fts in present and not set(_sqlite_triggers(fts)) <= present:
                with transaction.atomic(using=using):
                    _sqlite_install(cursor.execute, fts)
                repaired.append(fts)
    return repaired
