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

Trigrams need at least three characters. A shorter term (e.g. 漏水) falls back to the
scan on SQLite; on PostgreSQL the planner decides (a GIN index cannot narrow it either).
"""

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


def _has_case(text: str) -> bool:
    """Whether case folding can change a match: without any cased character (Chinese,
    digits, punctuation) the trigram match is exactly the substring match."""
    return any(c.lower() != c or c.upper() != c for c in text)


def search_cases(qs: QuerySet, text: str) -> QuerySet:
    text = text.strip()
    return qs.filter(case_text_q(text)) if text else qs


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
