"""Loading the demo company: configuration, staff and a history of cases."""

import time
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tingsu.accounts.models import User
from tingsu.cases.models import Case
from tingsu.channels.outbox import outbox_suppressed
from tingsu.demo.accounts import DEMO_LOGINS
from tingsu.demo.company import company_load
from tingsu.demo.stories import DEFAULT_CASES, DEFAULT_SEED, DemoPlanner

# The demo supervisor's account marks a database that already holds the demo.
MARKER_USERNAME = next(login.username for login in DEMO_LOGINS if login.role == "supervisor")


@dataclass(frozen=True)
class DemoResult:
    cases: int
    customers: int
    seconds: float


def demo_is_loaded() -> bool:
    return User.objects.filter(username=MARKER_USERNAME).exists()


def demo_load(
    *, cases: int = DEFAULT_CASES, seed: int = DEFAULT_SEED, now: datetime | None = None
) -> DemoResult:
    """Create the demo company and `cases` cases over the last 90 days, all or nothing.

    Cases are created and moved through the case services, so their timelines and audit
    entries are the real thing. The same seed and day give the same data.
    """
    started = time.perf_counter()
    now = now or timezone.now()
    # History is not news: the demo's customers and webhooks are not notified.
    with transaction.atomic(), outbox_suppressed():
        company = company_load()
        planner = DemoPlanner(company=company, cases=cases, seed=seed, now=now)
        stories = planner.plan()
        planner.play()
    customers = {id(s.customer) for s in stories if s.customer}
    return DemoResult(
        cases=sum(1 for s in stories if s.case is not None and isinstance(s.case, Case)),
        customers=len(customers),
        seconds=time.perf_counter() - started,
    )
