"""A worker killed mid-send loses nothing.

Delivery is AT-LEAST-ONCE WITH AN IDEMPOTENCY KEY, not exactly-once: a worker that dies
after the SMTP server accepted the message and before it marked the row sent leaves the
row "sending" with a lease. Once the lease runs out the scheduler enqueues it again and a
new worker sends it again, with the same Message-ID (derived from the idempotency key).
So no message is lost, and the receiving side, counting distinct Message-IDs, sees each
message exactly once.

Everything runs in real processes (`manage.py migrate`, `db_worker`, `scheduler`) against
a file SQLite database of its own, whatever DATABASE_URL the suite runs with, and a real
SMTP server (aiosmtpd). The crash is made with the test hook TINGSU_TEST_CRASH_AFTER_SEND=1
(see tingsu.channels.outbox), which exits the worker with os._exit right after the send.
"""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")

ENQUEUE = """
from django.db import transaction
from tingsu.channels.outbox import outbox_enqueue
with transaction.atomic():
    for n in range(3):
        outbox_enqueue(
            transport="email",
            recipient=f"customer{n}@example.com",
            subject=f"Notice {n}",
            body="Your case was received.",
            idempotency_key=f"kill-test:{n}",
        )
"""


def run(env, *args, check=True):
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, MANAGE, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )


def rows(db_path):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(
            "SELECT idempotency_key, status, attempts, external_id FROM channels_outboxmessage"
            " ORDER BY id"
        ).fetchall()


def test_a_worker_killed_after_the_send_loses_nothing_and_the_peer_dedupes(tmp_path, smtp_peer):
    inbox, port = smtp_peer
    db_path = tmp_path / "kill.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TINGSU_")},
        "DATABASE_URL": f"sqlite:///{db_path}",
        "TINGSU_VAR_DIR": str(tmp_path),
        "TINGSU_EMAIL_HOST": "127.0.0.1",
        "TINGSU_EMAIL_PORT": str(port),
        "TINGSU_DEFAULT_FROM_EMAIL": "tingsu@tingsu.test",
        "TINGSU_OUTBOX_LEASE_SECONDS": "1",
        "DJANGO_SETTINGS_MODULE": "tingsu.settings",
    }
    run(env, "migrate", "--noinput", "-v", "0")
    run(env, "shell", "-c", ENQUEUE)
    assert [r[1] for r in rows(db_path)] == ["pending"] * 3

    # The first worker claims the transaction's three messages (one batch), sends one,
    # then dies before marking it.
    crashed = run(
        {**env, "TINGSU_TEST_CRASH_AFTER_SEND": "1"},
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        check=False,
    )
    assert crashed.returncode == 1, crashed.stderr
    assert len(inbox.messages) == 1
    states = rows(db_path)
    assert [r[1] for r in states] == ["sending"] * 3
    sent_once = states[0]  # a batch sends in id order

    # After the lease runs out, the scheduler re-enqueues the stuck rows and a new worker
    # delivers everything.
    time.sleep(1.2)
    run(env, "scheduler", "--once")
    run(env, "db_worker", "--batch", "--no-startup-delay", "--no-reload")

    final = rows(db_path)
    assert [r[1] for r in final] == ["sent"] * 3
    assert [r[2] for r in final] == [2] * 3  # the crashed batch claimed all three
    ids = inbox.message_ids()
    assert len(ids) == 4  # one message went out twice ...
    expected = {f"<{r[3]}>" for r in final}
    assert set(ids) == expected  # ... with the same Message-ID, so distinct ids = messages
    assert ids.count(f"<{sent_once[3]}>") == 2
    assert sorted(m["To"] for m in inbox.messages if m["Message-ID"] != f"<{sent_once[3]}>") == [
        f"customer{n}@example.com" for n in range(3) if f"kill-test:{n}" != sent_once[0]
    ]
