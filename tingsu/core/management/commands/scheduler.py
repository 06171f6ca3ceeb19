"""`tingsu scheduler`: the loop that turns due-times stored in the database into tasks.

Shaped like healthchecks' `sendalerts`: each job claims one due row with a conditional
UPDATE and returns True if it did some work; the loop runs the jobs again at once while
any of them is busy, sleeps briefly when all are idle, and stops cleanly on SIGTERM or
SIGINT. Any number of schedulers may run side by side.
"""

import logging
import signal
import time
from collections.abc import Callable

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from tingsu.audit.anchors import audit_anchor_claim_due
from tingsu.cases.auto_close import auto_close_claim_due
from tingsu.cases.intake_retry import intake_retry_claim_due
from tingsu.channels.email.imap import mailbox_poll_claim_due
from tingsu.channels.outbox import outbox_claim_due
from tingsu.core.maintenance import database_analyze_claim_due
from tingsu.privacy.retention import retention_claim_due
from tingsu.sla.services import sla_claim_due

logger = logging.getLogger("tingsu.scheduler")

JOBS: list[Callable[[], bool]] = [
    audit_anchor_claim_due,
    auto_close_claim_due,
    intake_retry_claim_due,
    database_analyze_claim_due,
    mailbox_poll_claim_due,
    outbox_claim_due,
    retention_claim_due,
    sla_claim_due,
]
IDLE_SLEEP_SECONDS = 2.0


class Command(BaseCommand):
    help = "Run the scheduler: claim due work (auto-close, ...) and enqueue tasks for it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Run until nothing is due, then exit (for tests and cron).",
        )

    def handle(self, *args, once: bool = False, **options):
        self.stopping = False
        if not once:
            signal.signal(signal.SIGTERM, self.on_signal)
            signal.signal(signal.SIGINT, self.on_signal)
            self.stdout.write("Scheduler started.")
        claimed = 0
        while not self.stopping:
            worked = self.run_jobs()
            claimed += worked
            if worked:
                continue
            if once:
                break
            close_old_connections()
            self.sleep(IDLE_SLEEP_SECONDS)
        if once:
            self.stdout.write(f"Scheduler pass done: {claimed} item(s) claimed.")
        else:
            self.stdout.write("Scheduler stopped.")

    def run_jobs(self) -> int:
        """Run each job once; return how many did some work."""
        worked = 0
        for job in JOBS:
            try:
                worked += bool(job())
            except Exception:
                # One broken row must not stop the other jobs; log it and carry on.
                logger.exception("Scheduler job %s failed", job.__name__)
        return worked

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(0.1)

    def on_signal(self, signum, frame) -> None:
        self.stopping = True
