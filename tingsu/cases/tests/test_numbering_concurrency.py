"""Case numbers stay unique and gap-free when many creators race for them."""

import json
import os
import subprocess
import sys
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tingsu.cases.models import Case, CaseNumberSequence, Channel
from tingsu.cases.services import Actor, case_create
from tingsu.core.testing import make_customer

THREADS = 8
PER_THREAD = 10


def _create_concurrently(customer_ids: list[int]) -> tuple[list[str], list[BaseException]]:
    from tingsu.customers.models import Customer

    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker(customer_id: int) -> None:
        try:
            customer = Customer.objects.get(pk=customer_id)
            start.wait()
            for i in range(PER_THREAD):
                case, created = case_create(
                    actor=Actor.customer(customer),
                    customer=customer,
                    channel=Channel.API,
                    subject=f"并发投诉 {i}",
                    description="同时提交的投诉。",
                )
                assert created
                with lock:
                    numbers.append(case.number)
        except BaseException as exc:  # reported to the main thread
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(cid,)) for cid in customer_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return numbers, errors


def _assert_consecutive(numbers: list[str]) -> None:
    total = THREADS * PER_THREAD
    assert len(numbers) == total
    assert len(set(numbers)) == total
    day = timezone.localdate()
    prefix = f"TS{day:%Y%m%d}"
    assert all(n.startswith(prefix) and len(n) == len(prefix) + 6 for n in numbers)
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, total + 1))
    assert CaseNumberSequence.objects.get(day=day).last == total
    assert Case.objects.count() == total


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_creators_on_postgresql_get_distinct_consecutive_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL; CI runs this suite on PostgreSQL too")
    customer_ids = [make_customer().pk for _ in range(THREADS)]
    numbers, errors = _create_concurrently(customer_ids)
    assert errors == []
    _assert_consecutive(numbers)


# The test database of the SQLite run is in memory with a shared cache, where writers get
# "database table is locked" at once instead of waiting, unlike the file-based WAL database
# that Tingsu runs on. So the SQLite race runs in a child process on a WAL file database
# with the production connection options; it does not touch the test database.
SQLITE_RACE = """
import json, sys, threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection
call_command("migrate", verbosity=0)
assert connection.vendor == "sqlite"
mode = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
from tingsu.cases.tests.test_numbering_concurrency import _create_concurrently
from tingsu.core.testing import make_customer
ids = [make_customer().pk for _ in range(%(threads)d)]
connection.close()
numbers, errors = _create_concurrently(ids)
print(json.dumps({"mode": mode, "numbers": numbers, "errors": [repr(e) for e in errors]}))
"""


def test_parallel_creators_on_a_sqlite_wal_file_get_distinct_consecutive_numbers(tmp_path):
    db = tmp_path / "race.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SETTINGS_MODULE": "tingsu.settings",
        "TINGSU_VAR_DIR": str(tmp_path),
    }
    proc = subprocess.run(
        [sys.executable, "-c", SQLITE_RACE % {"threads": THREADS}],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=settings.BASE_DIR,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["mode"] == "wal"
    assert result["errors"] == []
    numbers = result["numbers"]
    total = THREADS * PER_THREAD
    assert len(numbers) == len(set(numbers)) == total
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, total + 1))
