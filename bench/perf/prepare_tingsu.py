"""Run inside Tingsu's environment (DATABASE_URL set) before a load run: migrate, load the
demo company (departments, staff, categories, SLA policies) into an empty database, seed
up to N cases, and create the benchmark user, API key and session. Prints JSON.

    python bench/perf/prepare_tingsu.py --cases 100000
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tingsu.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402

from bench.perf.full_path import configure_full_path  # noqa: E402
from tingsu.accounts.models import ApiKey, ApiKeyScope, DataScope, Department, Role, User  # noqa: E402
from tingsu.accounts.services import api_key_create  # noqa: E402
from tingsu.cases.models import Case, CaseEvent, Status  # noqa: E402
from tingsu.core.maintenance import database_analyze  # noqa: E402
from tingsu.demo.seeding import SEARCH_MARKER, database_size, seed_cases  # noqa: E402

BENCH_USER = "bench"
CASE_PAGE_EVENTS = 8


def prepare(cases: int) -> dict:
    call_command("migrate", interactive=False, verbosity=0)
    if not Department.objects.exists():
        call_command("demo", cases=0, verbosity=0)
    have = Case.objects.count()
    seeding = None
    if have < cases:
        result = seed_cases(count=cases - have)
        seeding = {
            "cases": result.cases,
            "seconds": round(result.seconds, 1),
            "cases_per_s": round(result.rate),
            "events": result.events,
            "timers": result.timers,
        }
    # Fresh planner statistics, as the scheduler keeps them on SQLite and autovacuum on
    # PostgreSQL in production. After a bulk load on PostgreSQL, VACUUM too, as autovacuum
    # soon would: it sets the visibility map, without which an index-only scan still visits
    # the table for every row (about 40 s at 1M).
    if seeding and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    else:
        database_analyze()
    # What a configured deployment has (a trained classifier, routing rules, automatic
    # assignment, a webhook), so intake runs its whole path.
    full_path = configure_full_path()
    # The department with the most cases in the statuses the filter benchmark asks for, so
    # the filtered queue reads a full page (departments without agents have none assigned).
    open_statuses = [Status.ASSIGNED.value, Status.IN_PROGRESS.value]
    dept = (
        Department.objects.annotate(n=Count("cases", filter=Q(cases__status__in=open_statuses)))
        .order_by("-n")
        .first()
        or Department.objects.first()
    )
    user, _ = User.objects.update_or_create(
        username=BENCH_USER,
        defaults={
            "role": Role.SUPERVISOR,
            "department": dept,
            "data_scope": DataScope.ALL,
            "is_active": True,
            "display_name": "Benchmark",
        },
    )
    ApiKey.objects.filter(name__startswith="bench-").delete()
    # A high limit: the benchmark measures the server, not the rate limiter.
    _, intake_key = api_key_create(
        actor=None, name="bench-intake", scopes=[ApiKeyScope.INTAKE], rate_limit_per_minute=10**9
    )
    _, read_key = api_key_create(
        actor=None,
        name="bench-read",
        scopes=[ApiKeyScope.READ],
        user=user,
        rate_limit_per_minute=10**9,
    )
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    eight = list(
        CaseEvent.objects.values("case")
        .annotate(n=Count("id"))
        .filter(n=CASE_PAGE_EVENTS)
        .values_list("case", flat=True)[:50]
    )
    numbers = list(Case.objects.filter(pk__in=eight).values_list("number", flat=True))
    return {
        "engine": connection.vendor,
        "server_version": _server_version(),
        "cases": Case.objects.count(),
        "seeding": seeding,
        "db_bytes": database_size(),
        "session_cookie": {settings.SESSION_COOKIE_NAME: session},
        "intake_key": intake_key,
        "read_key": read_key,
        "case_numbers": numbers,
        "department": dept.pk,
        "search": SEARCH_MARKER,
        "search_hits": Case.objects.filter(description__contains=SEARCH_MARKER).count(),
        "open_statuses": open_statuses,
        "full_path": full_path,
    }


def _server_version() -> str | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def count_cases() -> int:
    return Case.objects.count()


def pending_tasks() -> int:
    """Tasks the worker has not finished (ready or running)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()


def wait_for_tasks(timeout: float) -> dict:
    """Poll, in this one process, until no task is ready or running: how long it took and
    how many were there at the start and left at the end."""
    started = time.monotonic()
    first = pending = pending_tasks()
    while pending and time.monotonic() - started < timeout:
        time.sleep(1)
        pending = pending_tasks()
    return {"tasks": first, "left": pending, "seconds": round(time.monotonic() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=0)
    parser.add_argument("--count-only", action="store_true", help="print the case count")
    parser.add_argument(
        "--wait-tasks", type=float, metavar="SECONDS", help="wait for the task worker to drain"
    )
    args = parser.parse_args()
    if args.count_only:
        print(json.dumps({"cases": count_cases()}))
        return
    if args.wait_tasks is not None:
        print(json.dumps(wait_for_tasks(args.wait_tasks)))
        return
    started = time.perf_counter()
    info = prepare(args.cases)
    info["prepare_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(info, ensure_ascii=False))


if __name__ == "__main__":
    main()
