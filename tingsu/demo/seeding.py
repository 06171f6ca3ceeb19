"""Bulk synthetic cases for benchmarks.

Unlike the demo, this bypasses the case services on purpose: rows go in with
bulk_create, a batch per transaction, with one CREATED timeline event per case and case
numbers reserved a block at a time. Use it to fill a database, never for real data.
"""

import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

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
from tingsu.customers.models import Customer, Tier
from tingsu.demo import texts

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
TEXT_POOL = 600


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
    seconds: float

    @property
    def rate(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0


@dataclass
class _Config:
    categories: list[Category]
    departments: list[Department]
    staff: dict[int, list[int]]  # department id -> user ids
    resolution_codes: list[int]
    root_causes: list[int]


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
    for user_id, dept_id in User.objects.filter(
        is_active=True, role__in=[Role.AGENT, Role.SUPERVISOR], department__isnull=False
    ).values_list("id", "department_id"):
        staff[dept_id].append(user_id)
    return _Config(
        categories=categories,
        departments=departments,
        staff=dict(staff),
        resolution_codes=list(ResolutionCode.objects.values_list("id", flat=True)),
        root_causes=list(RootCause.objects.values_list("id", flat=True)),
    )


def _text_pool(rng: random.Random) -> dict[str, list[tuple[str, str, str]]]:
    """Per topic, (subject, description, order number) triples to draw from."""
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
            items.append(
                (
                    rng.choice(topic.subjects).format(**ctx),
                    rng.choice(topic.descriptions).format(**ctx),
                    order,
                )
            )
        pool[code] = items
    return pool


def seed_cases(
    *,
    count: int,
    batch: int = 5000,
    days: int = 90,
    seed: int | None = 1,
    progress: Callable[[int], None] | None = None,
) -> SeedResult:
    """Insert `count` synthetic cases created over the last `days` days."""
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
    adapt = conn.ops.adapt_datetimefield_value
    empty_json = _json(conn, Case, "custom_fields", {})
    data_field = CaseEvent._meta.get_field("data")
    all_created = sorted(now - timedelta(seconds=rng.uniform(60, span)) for _ in range(count))
    # Numbers are reserved up front, a block per day; a failed run leaves a gap, as a
    # failed case_create does.
    with transaction.atomic():
        all_numbers = _numbers_for(all_created)
    done = customers_made = 0
    while done < count:
        size = min(batch, count - done)
        created = all_created[done : done + size]
        numbers = all_numbers[done : done + size]
        with transaction.atomic():
            customer_ids = _bulk_customers(
                conn, rng, max(1, size // CASES_PER_CUSTOMER), created[0]
            )
            customers_made += len(customer_ids)
            rows, events = [], []
            for at, number in zip(created, numbers, strict=True):
                category = rng.choice(config.categories)
                topic = category.code if category.code in pool else rng.choice(topics)
                subject, description, order = rng.choice(pool[topic])
                channel = rng.choice(channels)
                status = rng.choices(statuses, weights=status_weights)[0]
                row = _case_row(rng, config, now=now, at=at, category=category, status=status)
                rows.append(
                    (
                        number,
                        channel,
                        subject,
                        description,
                        rng.choice(customer_ids),
                        category.pk,
                        *row[:5],
                        empty_json,
                        order,
                        *row[5:8],
                        *(adapt(t) if t else None for t in row[8:]),
                        0,
                        new_access_salt(),
                        adapt(at),
                        adapt(max(t for t in (at, *row[8:]) if t)),
                    )
                )
                data = data_field.get_db_prep_save({"channel": channel, "subject": subject}, conn)
                events.append((number, description, data, adapt(at)))
            _insert(conn, Case, CASE_COLUMNS, rows)
            ids = _ids(Case, "number", numbers)
            _insert(
                conn,
                CaseEvent,
                EVENT_COLUMNS,
                [
                    (ids[number], EventKind.CREATED.value, AuthorType.CUSTOMER.value, True, *rest)
                    for number, *rest in events
                ],
            )
        done += size
        if progress:
            progress(done)
    return SeedResult(cases=count, customers=customers_made, seconds=time.perf_counter() - started)


# Cases and events go in with executemany on prepared rows: Django's bulk_create spends
# most of its time preparing each value, which made seeding five times slower.
CASE_COLUMNS = (
    "number", "channel", "subject", "description", "customer", "category", "severity",
    "priority", "status", "assignee", "department", "custom_fields", "order_number",
    "resolution_code", "root_cause", "resolution_summary", "first_response_at",
    "resolved_at", "closed_at", "auto_close_at", "reopen_count", "access_salt",
    "created_at", "updated_at",
)  # fmt: skip
EVENT_COLUMNS = ("case", "kind", "author_type", "is_public", "body", "data", "created_at")


CUSTOMER_COLUMNS = (
    "name", "phone", "email", "wechat_openid", "customer_number", "tier", "region",
    "created_at", "updated_at",
)  # fmt: skip


def _json(conn, model: type[models.Model], name: str, value):
    return model._meta.get_field(name).get_db_prep_save(value, conn)


def _insert(conn, model: type[models.Model], names: tuple[str, ...], rows: list[tuple]) -> None:
    quote = conn.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(n).column) for n in names)
    marks = ", ".join(["%s"] * len(names))
    # Identifiers come from model metadata; values are always parameters. sqlite3 loops
    # executemany in C and psycopg pipelines it, so one statement serves all rows.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    with conn.cursor() as cursor:
        cursor.executemany(sql, rows)


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


def _bulk_customers(conn, rng: random.Random, n: int, since: datetime) -> list[int]:
    adapt = conn.ops.adapt_datetimefield_value
    start = Customer.objects.count()
    rows = []
    for i in range(start + 1, start + n + 1):
        roll = rng.random()
        tier = Tier.VIP if roll < 0.02 else Tier.GOLD if roll < 0.1 else Tier.STANDARD
        at = adapt(since - timedelta(days=rng.randint(0, 365)))
        rows.append(
            (
                rng.choice(texts.SURNAMES) + rng.choice(texts.GIVEN_NAMES),
                f"1{rng.choice('35789')}{i:09d}"[:11],
                f"seed{i}@example.com",
                "",
                f"S{i:08d}",
                tier.value,
                rng.choice(texts.CITIES),
                at,
                at,
            )
        )
    _insert(conn, Customer, CUSTOMER_COLUMNS, rows)
    return list(_ids(Customer, "customer_number", [row[4] for row in rows]).values())


def _case_row(
    rng: random.Random,
    config: _Config,
    *,
    now: datetime,
    at: datetime,
    category: Category,
    status: Status,
) -> tuple:
    """(severity, priority, status, assignee, department, resolution code, root cause,
    summary, first_response_at, resolved_at, closed_at, auto_close_at) of one case."""
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
        summary = "已按政策处理完毕。"
    if status == Status.CLOSED:
        closed = min(now, auto_close)
        auto_close = None
    elif status in (Status.WITHDRAWN, Status.REJECTED):
        closed = after(1, 72, at)
    return (
        severity.value,
        int(priority),
        status.value,
        assignee_id,
        dept_id,
        resolution_code_id,
        root_cause_id,
        summary,
        first_response,
        resolved,
        closed,
        auto_close,
    )
