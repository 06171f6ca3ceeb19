"""Database housekeeping the scheduler runs now and then.

SQLite has no autovacuum daemon to keep the query planner's statistics current: without
`sqlite_stat1` it guesses, and at a million cases a search combined with a common status
took 1.4 s instead of 0.18 s (the planner chose the status index over the search index).
So on SQLite the scheduler runs `ANALYZE` once a day, with `analysis_limit` so it reads a
sample of each index rather than all of it (milliseconds at 100k cases, a few seconds at
1M). PostgreSQL's autovacuum already analyses changed tables; `database_analyze()` still
works there, for the seed and the benchmark.
"""

import logging
import time

from django.db import connection

logger = logging.getLogger(__name__)

ANALYZE_EVERY_SECONDS = 24 * 3600
_next_analyze_at = 0.0


def database_analyze() -> None:
    """Refresh the query planner's statistics for every table."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")


def database_analyze_claim_due() -> bool:
    """Scheduler job: on SQLite, ANALYZE at start and then once a day per scheduler.

    Returns False even when it ran, since it is not queue work the loop should hurry on.
    """
    global _next_analyze_at
    if connection.vendor != "sqlite" or time.monotonic() < _next_analyze_at:
        return False
    _next_analyze_at = time.monotonic() + ANALYZE_EVERY_SECONDS
    started = time.perf_counter()
    database_analyze()
    logger.info("Planner statistics refreshed in %.1f s", time.perf_counter() - started)
    return False
