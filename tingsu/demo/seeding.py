"""Bulk synthetic cases for benchmarks.

Unlike the demo, this bypasses the case services on purpose: rows go in with one
executemany per table and batch, a batch per transaction, with case numbers reserved a
block per day. Each case gets a plausible history for its status (3 to 8 timeline
events) and its SLA timers, so pages and queries see what a real year of complaints
looks like. Use it to fill a database, never for real data.
"""

import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import F
from django.utils import timezone

from tingsu.accounts.models import Department, Role, User
from tingsu.cases.models import (
    AuthorType,
    Case,
    CaseEvent,
    CaseNumberSequence,
    Category,
    Channel,
    EventKind,
    Priority,
    ResolutionCode,
    RootCause,
    Severity,
    Status,
    new_access_salt,
)
from tingsu.cases.search import create_search_index, drop_search_index
from tingsu.cases.sla_due import create_sla_due_triggers, drop_sla_due_triggers, refresh_sla_due
from tingsu.customers.models import Customer, Tier
from tingsu.demo import seeding_texts, texts
from tingsu.sla.models import SlaPolicy, SlaTimer, TimerKind

SEED_STATUSES = {
    Status.NEW: 8,
    Status.ASSIGNED: 6,
    Status.IN_PROGRESS: 14,
    Status.WAITING_CUSTOMER: 6,
    Status.RESOLVED: 8,
    Status.CLOSED: 48,
    Status.WITHDRAWN: 4,
    Status.REJECTED: 4,
    # No MERGED: a merged case needs a real case to point at; the demo has those.
}
SEVERITIES = list(Severity)
CASES_PER_CUSTOMER = 3
# Share of cases filed by a customer of an earlier batch: repeat complainants across months.
RETURNING_SHARE = 0.15
TEXT_POOL = 2000
# Planted in about 1% of descriptions, so a search benchmark has a known hit rate.
SEARCH_MARKER = seeding_texts.SEARCH_MARKER
SEARCH_SHARE = 0.01
MIN_EVENTS, MAX_EVENTS = 3, 8
# Rough wall-clock length of the SLA units, for seeded deadlines only (the real clock
# uses the business calendar).
UNIT_HOURS = {"working_hours": 3.0, "working_days": 34.0, "calendar_days": 24.0}
# A seed this large (or larger than what the database holds) drops the secondary indexes
# of the tables it fills and builds them again at the end: one sorted build per index is
# many times cheaper than maintaining each index row by row.
REBUILD_INDEXES_ABOVE = 20_000
BULK_TABLES = tuple(m._meta.db_table for m in (Case, CaseEvent, SlaTimer, Customer))


def reserve_case_numbers(count: int, *, day: date | None = None) -> list[str]:
    """Reserve `count` consecutive case numbers of one local day in a single UPDATE.

    Same scheme and guarantees as cases.numbering.next_case_number: the UPDATE holds the
    day's row lock until the surrounding transaction ends.
    """
    assert transaction.get_connection().in_atomic_block
    if count <= 0:
        return []
    day = day or timezone.localdate()
    CaseNumberSequence.objects.bulk_create(
        [CaseNumberSequence(day=day, last=0)], ignore_conflicts=True
    )
    CaseNumberSequence.objects.filter(day=day).update(last=F("last") + count)
    last = CaseNumberSequence.objects.values_list("last", flat=True).get(day=day)
    prefix = settings.TINGSU["CASE_NUMBER_PREFIX"]
    return [f"{prefix}{day:%Y%m%d}{n:06d}" for n in range(last - count + 1, last + 1)]


@dataclass(frozen=True)
class SeedResult:
    cases: int
    customers: int
    events: int
    timers: int
    seconds: float
    index_seconds: float = 0.0  # of `seconds`, building the dropped indexes again

    @property
    def rate(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0


@dataclass
class _Config:
    categories: list[Category]
    departments: list[Department]
    staff: dict[int, list[int]]  # department id -> user ids
    labels: dict[int, str]  # user id -> label, as the assign service writes it
    resolution_codes: list[int]
    root_causes: list[int]
    policies: dict[str, SlaPolicy]  # severity -> the policy that applies


def _config() -> _Config:
    """What seeded cases point at; minimal rows are created if the database has none."""
    departments = list(Department.objects.filter(is_active=True))
    if not departments:
        departments = [Department.objects.create(name="客服中心", code="service")]
    categories = list(
        Category.objects.filter(is_active=True, children__isnull=True).select_related(
            "default_department"
        )
    )
    if not categories:
        categories = [
            Category.objects.create(
                name="一般投诉", code="general", default_department=departments[0]
            )
        ]
    staff: dict[int, list[int]] = defaultdict(list)
    labels: dict[int, str] = {}
    for user in User.objects.filter(
        is_active=True, role__in=[Role.AGENT, Role.SUPERVISOR], department__isnull=False
    ):
        staff[user.department_id].append(user.pk)
        labels[user.pk] = user.label
    policies: dict[str, SlaPolicy] = {}
    # Highest `order` first, so the most specific policy per severity wins the overwrite.
    for policy in SlaPolicy.objects.filter(
        is_active=True, category__isnull=True, channel="", customer_tier=""
    ).order_by("-order"):
        for severity in [policy.severity] if policy.severity else Severity.values:
            policies[severity] = policy
    return _Config(
        categories=categories,
        departments=departments,
        staff=dict(staff),
        labels=labels,
        resolution_codes=list(ResolutionCode.objects.values_list("id", flat=True)),
        root_causes=list(RootCause.objects.values_list("id", flat=True)),
        policies=policies,
    )


def _text_pool(rng: random.Random) -> dict[str, list[tuple[str, str, str]]]:
    """Per topic, (subject, description, order number) triples to draw from.

    Descriptions are a topic template plus one to three context sentences, 80 to 250
    characters, the length of a typical written complaint."""
    pool: dict[str, list[tuple[str, str, str]]] = {}
    for code, topic in texts.TOPICS.items():
        items = []
        for _ in range(TEXT_POOL // len(texts.TOPICS)):
            courier, prefix = rng.choice(texts.COURIERS)
            ordered = timezone.localdate() - timedelta(days=rng.randint(1, 120))
            order = f"YJ{ordered:%Y%m%d}{rng.randint(0, 999_999):06d}"
            ctx = {
                "product": rng.choice(topic.products),
                "order": order,
                "courier": courier,
                "tracking": f"{prefix}{rng.randint(10**11, 10**12 - 1)}",
                "store": rng.choice(texts.STORES),
                "city": rng.choice(texts.CITIES),
                "amount": str(rng.choice((59, 129, 259, 599, 1299))),
                "days": str(rng.randint(3, 9)),
            }
            extra = rng.sample(seeding_texts.CONTEXT, rng.randint(1, 3))
            if rng.random() < 0.08:
                extra.append(rng.choice(texts.ESCALATIONS))
            description = rng.choice(topic.descriptions).format(**ctx) + "".join(extra)
            items.append((rng.choice(topic.subjects).format(**ctx), description, order))
        pool[code] = items
    return pool


def seed_cases(
    *,
    count: int,
    batch: int = 5000,
    days: int = 365,
    seed: int | None = 1,
    progress: Callable[[int], None] | None = None,
) -> SeedResult:
    """Insert `count` synthetic cases created over the last `days` days.

    A large seed runs without the bulk tables' secondary and search indexes and builds
    them again at the end (`bulk_load`), also when it fails midway."""
    started = time.perf_counter()
    conn = connections[DEFAULT_DB_ALIAS]
    # Not inside a caller's transaction (e.g. a test's): schema changes and session
    # settings are the seed's own business.
    rebuild = not conn.in_atomic_block and (
        count > REBUILD_INDEXES_ABOVE or Case.objects.count() < count
    )
    with bulk_load(conn, drop_indexes=rebuild) as timing:
        result = _seed(count=count, batch=batch, days=days, seed=seed, progress=progress)
    return SeedResult(
        cases=result.cases,
        customers=result.customers,
        events=result.events,
        timers=result.timers,
        seconds=time.perf_counter() - started,
        index_seconds=timing.get("indexes", 0.0),
    )


def _seed(
    *,
    count: int,
    batch: int,
    days: int,
    seed: int | None,
    progress: Callable[[int], None] | None,
) -> SeedResult:
    started = time.perf_counter()
    rng = random.Random(seed)
    with transaction.atomic():
        config = _config()
    pool = _text_pool(rng)
    topics = list(pool)
    statuses = list(SEED_STATUSES)
    status_weights = list(SEED_STATUSES.values())
    channels = list(Channel.values)
    now = timezone.now()
    span = timedelta(days=days).total_seconds()
    conn = connections[DEFAULT_DB_ALIAS]
    adapt, dump = _adapters(conn)
    empty_json = _json(conn, Case, "custom_fields", {})
    empty_list = _json(conn, SlaTimer, "warned_levels", [])
    all_created = sorted(now - timedelta(seconds=rng.uniform(60, span)) for _ in range(count))
    # Numbers are reserved up front, a block per day; a failed run leaves a gap, as a
    # failed case_create does.
    with transaction.atomic():
        all_numbers = _numbers_for(all_created)
    done = customers_made = events_made = timers_made = 0
    customers_before = Customer.objects.count()
    earlier_customers: list[int] = []
    while done < count:
        size = min(batch, count - done)
        created = all_created[done : done + size]
        numbers = all_numbers[done : done + size]
        with transaction.atomic():
            customer_ids = _bulk_customers(
                rng, max(1, size // CASES_PER_CUSTOMER), customers_before + customers_made
            )
            customers_made += len(customer_ids)
            rows, histories, timer_specs = [], {}, {}
            for at, number in zip(created, numbers, strict=True):
                category = rng.choice(config.categories)
                topic = category.code if category.code in pool else rng.choice(topics)
                subject, description, order = rng.choice(pool[topic])
                if rng.random() < SEARCH_SHARE:
                    description += rng.choice(seeding_texts.MARKER_SENTENCES).format(
                        marker=SEARCH_MARKER
                    )
                channel = rng.choice(channels)
                status = rng.choices(statuses, weights=status_weights)[0]
                if earlier_customers and rng.random() < RETURNING_SHARE:
                    customer_id = rng.choice(earlier_customers)
                else:
                    customer_id = rng.choice(customer_ids)
                case = _case_fields(rng, config, now=now, at=at, category=category, status=status)
                history = _history(rng, config, case, now=now, at=at, description=description)
                last_change = max(e[4] for e in history)
                timer_specs[number] = _timers(config, case, now=now, at=at, paused=last_change)
                # Case.sla_due_at as the triggers keep it (the nearest running deadline),
                # written with the row: the rebuild's refresh then has nothing to update.
                running = [t[3] for t in timer_specs[number] if t[4] is None and t[6] is None]
                rows.append(
                    (
                        number,
                        channel,
                        subject,
                        description,
                        customer_id,
                        category.pk,
                        case["severity"],
                        case["priority"],
                        case["status"],
                        case["assignee"],
                        case["department"],
                        empty_json,
                        order,
                        case["resolution_code"],
                        case["root_cause"],
                        case["summary"],
                        *(
                            adapt(case[k]) if case[k] else None
                            for k in ("first_response", "resolved", "closed", "auto_close")
                        ),
                        0,
                        new_access_salt(),
                        adapt(at),
                        adapt(last_change),
                        adapt(min(running)) if running else None,
                    )
                )
                history[0][5] = {"channel": channel, "subject": subject}
                histories[number] = history
            earlier_customers.extend(customer_ids)
            _insert(conn, Case, CASE_COLUMNS, rows)
            ids = _ids(Case, "number", numbers)
            events = [
                (
                    ids[number],
                    kind,
                    author_type,
                    author,
                    public,
                    body,
                    dump(data),
                    adapt(when),
                )
                for number, history in histories.items()
                for kind, author_type, author, public, when, data, body in history
            ]
            _insert(conn, CaseEvent, EVENT_COLUMNS, events)
            timers = [
                (
                    ids[number],
                    *row[:2],
                    *(adapt(t) if t else None for t in row[2:8]),
                    *row[8:],
                    empty_list,
                )
                for number, rows_ in timer_specs.items()
                for row in rows_
            ]
            _insert(conn, SlaTimer, TIMER_COLUMNS, timers)
            events_made += len(events)
            timers_made += len(timers)
        done += size
        if progress:
            progress(done)
    return SeedResult(
        cases=count,
        customers=customers_made,
        events=events_made,
        timers=timers_made,
        seconds=time.perf_counter() - started,
    )


@contextmanager
def bulk_load(conn, *, drop_indexes: bool) -> Iterator[dict[str, float]]:
    """Session settings for a bulk load and, with `drop_indexes`, the bulk tables without
    their secondary indexes and the search index while it runs.

    The indexes are read from the catalog (their exact definitions), dropped, and created
    again afterwards even if the load fails; primary keys and unique indexes stay, they
    guard correctness. Yields a dict that gets the seconds the rebuild took ("indexes").
    """
    timing: dict[str, float] = {}
    restore = _bulk_session(conn) if not conn.in_atomic_block else (lambda: None)
    try:
        saved: list[tuple[str, str]] = []
        last_case: int | None = None
        if drop_indexes:
            with conn.schema_editor() as editor:
                drop_search_index(editor)
                # Case.sla_due_at: recomputed in one pass for the new cases at the end.
                drop_sla_due_triggers(editor)
                last_case = Case.objects.order_by("-pk").values_list("pk", flat=True).first()
                saved = _secondary_indexes(conn)
                for drop, _create in saved:
                    editor.execute(drop)
        try:
            yield timing
        finally:
            if drop_indexes:
                started = time.perf_counter()
                _rebuild(conn, [create for _drop, create in saved], last_case=last_case)
                timing["indexes"] = time.perf_counter() - started
            if conn.vendor == "postgresql":
                with conn.cursor() as cursor:
                    for table in BULK_TABLES:
                        cursor.execute(f"ANALYZE {conn.ops.quote_name(table)}")
    finally:
        restore()


def _rebuild(conn, statements: list[str], *, last_case: int | None) -> None:
    """Create the dropped indexes and the search index again, then the foreign keys.

    On PostgreSQL the plain indexes are built on a second connection while this one
    builds the search index: each build keeps one core busy, and the machine has two."""
    indexes = [sql for sql in statements if not sql.startswith("ALTER TABLE")]
    constraints = [sql for sql in statements if sql.startswith("ALTER TABLE")]
    if conn.vendor == "postgresql" and indexes:
        with ThreadPoolExecutor(max_workers=1) as pool:
            others = pool.submit(_create_on_own_connection, conn.alias, indexes)
            with conn.schema_editor() as editor:
                create_search_index(editor)
            others.result()
    else:
        with conn.schema_editor() as editor:
            for sql in indexes:
                editor.execute(sql)
            create_search_index(editor)
    # After the indexes, one at a time: adding a foreign key locks both of its tables.
    with conn.schema_editor() as editor:
        create_sla_due_triggers(editor)
        refresh_sla_due(editor, since_id=last_case)
        for sql in constraints:
            editor.execute(sql)


def _create_on_own_connection(alias: str, statements: list[str]) -> None:
    conn = connections[alias]  # a thread gets its own connection
    try:
        with conn.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for sql in statements:
                cursor.execute(sql)
    finally:
        conn.close()


def _secondary_indexes(conn) -> list[tuple[str, str]]:
    """(drop, create) statements of the bulk tables' non-unique indexes and, on PostgreSQL,
    of their foreign keys: adding a foreign key back checks every row in one join instead
    of a trigger query per inserted row. Created again in this order (indexes first)."""
    quote = conn.ops.quote_name
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT p.indexname, p.indexdef FROM pg_indexes p"
                " JOIN pg_index x ON x.indexrelid = format('%%I.%%I', p.schemaname,"
                " p.indexname)::regclass"
                " WHERE p.schemaname = current_schema() AND p.tablename = ANY(%s)"
                " AND NOT x.indisunique AND NOT x.indisprimary ORDER BY p.indexname",
                [list(BULK_TABLES)],
            )
            statements = [(f"DROP INDEX {quote(name)}", sql) for name, sql in cursor.fetchall()]
            cursor.execute(
                "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c"
                " JOIN pg_class t ON t.oid = c.conrelid"
                " WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace"
                " AND t.relname = ANY(%s) ORDER BY t.relname, c.conname",
                [list(BULK_TABLES)],
            )
            for table, name, definition in cursor.fetchall():
                alter = f"ALTER TABLE {quote(table)}"
                statements.append(
                    (
                        f"{alter} DROP CONSTRAINT {quote(name)}",
                        f"{alter} ADD CONSTRAINT {quote(name)} {definition}",
                    )
                )
            return statements
        # Automatic indexes (PK, UNIQUE) have no SQL; unique ones Django created stay too.
        marks = ", ".join(["%s"] * len(BULK_TABLES))
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"  # noqa: S608
            f" AND tbl_name IN ({marks}) ORDER BY name",
            list(BULK_TABLES),
        )
        return [
            (f"DROP INDEX {quote(name)}", sql)
            for name, sql in cursor.fetchall()
            if not sql.upper().startswith("CREATE UNIQUE")
        ]


def _bulk_session(conn) -> Callable[[], None]:
    """Cheaper durability and more memory for this connection; returns how to undo it."""
    conn.ensure_connection()
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # A crash may lose the last commits of a seed, never corrupt the database.
            settings_ = {"synchronous_commit": "off", "maintenance_work_mem": "512MB"}
            before = {}
            for name, value in settings_.items():
                cursor.execute(
                    "SELECT current_setting(%s), set_config(%s, %s, false)", [name, name, value]
                )
                before[name] = cursor.fetchone()[0]

            def restore() -> None:
                with conn.cursor() as c:
                    for name, value in before.items():
                        c.execute("SELECT set_config(%s, %s, false)", [name, value])

            return restore
        if conn.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous")
            synchronous = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size")
            cache_size = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB for the index builds

            def restore() -> None:
                with conn.cursor() as c:
                    c.execute(f"PRAGMA synchronous = {int(synchronous)}")
                    c.execute(f"PRAGMA cache_size = {int(cache_size)}")

            return restore
    return lambda: None


def database_size() -> int:
    """Bytes the default database takes on disk (SQLite: the file with its WAL)."""
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
    if conn.vendor == "sqlite":
        name = Path(str(conn.settings_dict["NAME"]))
        if name.is_file():
            files = [name, *(name.with_name(name.name + s) for s in ("-wal", "-shm"))]
            return sum(f.stat().st_size for f in files if f.exists())
        with conn.cursor() as cursor:  # an in-memory database
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            return pages * cursor.fetchone()[0]
    return 0


# Cases and events go in with executemany on prepared rows: Django's bulk_create spends
# most of its time preparing each value, which made seeding five times slower.
CASE_COLUMNS = (
    "number", "channel", "subject", "description", "customer", "category", "severity",
    "priority", "status", "assignee", "department", "custom_fields", "order_number",
    "resolution_code", "root_cause", "resolution_summary", "first_response_at",
    "resolved_at", "closed_at", "auto_close_at", "reopen_count", "access_salt",
    "created_at", "updated_at", "sla_due_at",
)  # fmt: skip
EVENT_COLUMNS = (
    "case", "kind", "author_type", "author", "is_public", "body", "data", "created_at",
)  # fmt: skip
TIMER_COLUMNS = (
    "case", "kind", "policy", "started_at", "due_at", "paused_at", "breached_at",
    "stopped_at", "next_check_at", "paused_total", "extensions", "unit", "warned_levels",
)  # fmt: skip


def _adapters(conn) -> tuple[Callable[[datetime], object], Callable[[dict], object]]:
    """Datetime and JSON adapters for raw rows. On SQLite, the strings Django itself writes
    (naive UTC, json.dumps), made directly: Django's per-value adapters took a third of the
    seeding time. Elsewhere, Django's own."""
    dump = _json_dumper()
    if conn.vendor == "sqlite":
        return _sqlite_datetime, dump
    # COPY takes aware datetimes as they are, and JSON as text (jsonb parses it).
    return (lambda at: at), dump


def _sqlite_datetime(at: datetime) -> str:
    text = str(at)  # seeded times derive from timezone.now(): already UTC
    if text.endswith("+00:00"):
        return text[:-6]
    return str(at.astimezone(UTC).replace(tzinfo=None))


def _json_dumper() -> Callable[[dict], str]:
    """json.dumps, remembered per distinct dict: most event data repeats (transitions,
    assignments to the same agent, the empty dict)."""
    cache: dict[tuple, str] = {}

    def dump(data: dict) -> str:
        key = tuple(data.items())
        text = cache.get(key)
        if text is None:
            text = json.dumps(data)
            if len(cache) < 100_000:
                cache[key] = text
        return text

    return dump


def _json(conn, model: type[models.Model], name: str, value):
    return model._meta.get_field(name).get_db_prep_save(value, conn)


def _insert(conn, model: type[models.Model], names: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    quote = conn.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(n).column) for n in names)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # COPY: an INSERT per row, even pipelined, was five times slower.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # Identifiers come from model metadata; values are always parameters. sqlite3
        # loops executemany in C, so one statement serves all rows.
        marks = ", ".join(["%s"] * len(names))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608


def _ids(model: type[models.Model], key: str, values: list[str]) -> dict[str, int]:
    """Primary keys of freshly inserted rows, by a unique-enough key."""
    ids: dict[str, int] = {}
    for i in range(0, len(values), 900):
        chunk = values[i : i + 900]
        ids.update(model.objects.filter(**{f"{key}__in": chunk}).values_list(key, "id"))
    return ids


def _numbers_for(created: list[datetime]) -> list[str]:
    """Case numbers carry the local day they were created on, in time order."""
    per_day: dict[date, int] = defaultdict(int)
    days = [timezone.localdate(at) for at in created]
    for day in days:
        per_day[day] += 1
    reserved = {day: iter(reserve_case_numbers(n, day=day)) for day, n in per_day.items()}
    return [next(reserved[day]) for day in days]


def _bulk_customers(rng: random.Random, n: int, start: int) -> list[int]:
    """Customers through the model's bulk_create, not raw rows: each field prepares its own
    value, so encrypted contact fields and their blind indexes are what the app writes.

    `start` is how many customers there were before (numbers continue from it)."""
    customers = []
    for i in range(start + 1, start + n + 1):
        roll = rng.random()
        tier = (
            Tier.VIP
            if roll < 0.02
            else Tier.GOLD
            if roll < 0.1
            else Tier.SILVER
            if roll < 0.25
            else Tier.STANDARD
        )
        customers.append(
            Customer(
                name=rng.choice(texts.SURNAMES) + rng.choice(texts.GIVEN_NAMES),
                # Canonical E.164, as phone_normalise stores it.
                phone=f"+861{rng.choice('35789')}{i:09d}",
                email=f"seed{i}@example.com",
                customer_number=f"S{i:08d}",
                tier=tier.value,
                region=rng.choice(texts.CITIES),
            )
        )
    # Both engines return the new primary keys (INSERT ... RETURNING): no lookup by
    # customer_number, whose index a large seed has dropped.
    Customer.objects.bulk_create(customers, batch_size=500)
    return [c.pk for c in customers]


def _case_fields(
    rng: random.Random,
    config: _Config,
    *,
    now: datetime,
    at: datetime,
    category: Category,
    status: Status,
) -> dict:
    """The state of one case: who has it, and when it was answered, resolved, closed."""
    dept_id = category.default_department_id or rng.choice(config.departments).pk
    people = config.staff.get(dept_id, [])
    if not people and status in (Status.ASSIGNED, Status.IN_PROGRESS):
        status = Status.NEW
    assignee_id = rng.choice(people) if people and status != Status.NEW else None
    severity = rng.choices(SEVERITIES, weights=[75, 20, 5])[0]
    priority = {Severity.MAJOR: Priority.P1, Severity.URGENT: Priority.P2}.get(
        severity, Priority.P3
    )

    def after(hours_lo: float, hours_hi: float, base: datetime) -> datetime:
        return min(now, base + timedelta(hours=rng.uniform(hours_lo, hours_hi)))

    first_response = resolved = closed = auto_close = None
    resolution_code_id = root_cause_id = None
    summary = ""
    if status not in (Status.NEW, Status.ASSIGNED, Status.REJECTED):
        first_response = after(0.2, 8, at)
    if status in (Status.RESOLVED, Status.CLOSED):
        resolved = after(4, 120, first_response)
        auto_close = resolved + timedelta(days=settings.TINGSU["AUTO_CLOSE_AFTER_DAYS"])
        resolution_code_id = rng.choice(config.resolution_codes or [None])
        root_cause_id = rng.choice(config.root_causes or [None])
        summary = rng.choice(seeding_texts.RESOLUTION_SUMMARIES)
    if status == Status.CLOSED:
        closed = min(now, auto_close)
        auto_close = None
    elif status in (Status.WITHDRAWN, Status.REJECTED):
        closed = after(1, 72, at)
    return {
        "severity": severity._value_,
        "priority": int(priority),
        "status": status._value_,
        "assignee": assignee_id,
        "department": dept_id,
        "resolution_code": resolution_code_id,
        "root_cause": root_cause_id,
        "summary": summary,
        "first_response": first_response,
        "resolved": resolved,
        "closed": closed,
        "auto_close": auto_close,
    }


def _history(
    rng: random.Random,
    config: _Config,
    case: dict,
    *,
    now: datetime,
    at: datetime,
    description: str,
) -> list[list]:
    """3 to 8 timeline events that lead to the case's status, oldest first.

    Each is [kind, author type, author id, public, at, data, body]."""
    status, agent = Status(case["status"]), case["assignee"]
    end = case["closed"] or case["resolved"] or min(now, at + timedelta(days=rng.uniform(1, 10)))
    first = case["first_response"]
    staff, customer = _STAFF, _CUSTOMER
    opening: list[tuple] = [(EventKind.CREATED, customer, None, True, {}, description)]
    if agent:
        label = config.labels.get(agent, "")
        opening.append(
            (
                EventKind.ASSIGNED,
                _SYSTEM,
                None,
                False,
                {"from": None, "from_label": "", "to": agent, "to_label": label},
                "",
            )
        )
        opening.append(_transition(Status.NEW, Status.ASSIGNED, "assign"))
    closing: list[tuple] = []
    if first:
        reply = rng.choice(seeding_texts.STAFF_REPLIES)
        opening.append((EventKind.MESSAGE, staff, agent, True, {}, reply))
        opening.append(_transition(Status.ASSIGNED, Status.IN_PROGRESS, "message"))
    if status == Status.WAITING_CUSTOMER:
        closing.append((EventKind.MESSAGE, staff, agent, True, {}, seeding_texts.ASK_CUSTOMER))
        closing.append(_transition(Status.IN_PROGRESS, Status.WAITING_CUSTOMER, "wait"))
    elif status in (Status.RESOLVED, Status.CLOSED):
        closing.append(_transition(Status.IN_PROGRESS, Status.RESOLVED, "resolve"))
        if status == Status.CLOSED:
            closing.append(_transition(Status.RESOLVED, Status.CLOSED, "close"))
    elif status in (Status.WITHDRAWN, Status.REJECTED):
        reasons = texts.WITHDRAW_REASONS if status == Status.WITHDRAWN else texts.REJECT_REASONS
        old = Status.IN_PROGRESS if first else Status.ASSIGNED if agent else Status.NEW
        body = rng.choice(reasons).format(company=texts.COMPANY)
        closing.append(_transition(old, status, status.value, body=body))
    fillers = max(0, rng.randint(MIN_EVENTS, MAX_EVENTS) - len(opening) - len(closing))
    middle: list[tuple] = []
    for _ in range(fillers):
        roll = rng.random()
        if roll < 0.4:
            middle.append((EventKind.MESSAGE, customer, None, True, {}, _nudge(rng)))
        elif roll < 0.7 and first:
            middle.append((EventKind.MESSAGE, staff, agent, True, {}, rng.choice(texts.FOLLOW_UPS)))
        else:
            note = rng.choice(seeding_texts.NOTES)
            middle.append((EventKind.NOTE, staff, agent, False, {}, note))
    entries = opening + middle + closing
    times = sorted(rng.uniform(0, 1) for _ in entries[1:])
    span = (end - at).total_seconds()
    return [
        # `_value_`: the plain attribute behind the `value` property (hot loop).
        [kind._value_, author_type, author, public, when, data, body]
        for (kind, author_type, author, public, data, body), when in zip(
            entries, [at] + [at + timedelta(seconds=span * x) for x in times], strict=True
        )
    ]


def _nudge(rng: random.Random) -> str:
    return rng.choice(texts.CUSTOMER_NUDGES + seeding_texts.CUSTOMER_ADDITIONS)


_STAFF, _CUSTOMER, _SYSTEM = (
    t.value for t in (AuthorType.STAFF, AuthorType.CUSTOMER, AuthorType.SYSTEM)
)


def _transition(old: Status, new: Status, action: str, *, body: str = "") -> tuple:
    data = {"from": old._value_, "to": new._value_, "action": action}
    return (EventKind.TRANSITION, _STAFF, None, True, data, body)


def _timers(
    config: _Config, case: dict, *, now: datetime, at: datetime, paused: datetime
) -> list[tuple]:
    """First-response and resolution timers, stopped, paused or breached as the case is.

    Each is (kind, policy id, unit, started, due, paused, breached, stopped, next check,
    paused seconds, extensions) minus the case, in TIMER_COLUMNS order after it."""
    policy = config.policies.get(case["severity"])
    if policy is None:
        return []
    ended = case["closed"] or case["resolved"]
    waiting = case["status"] == Status.WAITING_CUSTOMER
    rows = []
    for kind, unit, value, stopped in (
        (
            TimerKind.FIRST_RESPONSE,
            policy.first_response_unit,
            policy.first_response_value,
            case["first_response"] or ended,
        ),
        (TimerKind.RESOLUTION, policy.resolution_unit, policy.resolution_value, ended),
    ):
        if not unit or not value:
            continue
        due = at + timedelta(hours=UNIT_HOURS.get(unit, 24.0) * value)
        paused_at = paused if waiting and not stopped else None
        breached = due if due < (stopped or paused_at or now) else None
        next_check = None if stopped or paused_at or breached else due
        rows.append(
            (
                kind._value_,
                policy.pk,
                at,
                due,
                paused_at,
                breached,
                stopped,
                next_check,
                0.0,
                0,
                unit,
            )
        )
    # TIMER_COLUMNS order: kind, policy, started, due, paused, breached, stopped, next check,
    # paused seconds, extensions, unit (warned_levels is added by the caller).
    return rows
