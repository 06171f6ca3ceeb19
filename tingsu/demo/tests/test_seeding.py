"""What a benchmark data set must look like: realistic enough that pages and queries see
what a year of real complaints would give them."""

import pytest
from django.db.models import Count, Max, Min
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tingsu.cases.models import Case, CaseEvent, Status
from tingsu.core.testing import make_case
from tingsu.customers.models import Customer
from tingsu.demo.seeding import SEARCH_MARKER, database_size, seed_cases
from tingsu.sla.models import SlaTimer

pytestmark = pytest.mark.django_db

SEEDED_STATUSES = set(Status.values) - {Status.MERGED}


@pytest.fixture
def seeded(world):
    return seed_cases(count=200, batch=70, seed=7)


def test_every_status_but_merged_is_present(seeded):
    assert set(Case.objects.values_list("status", flat=True).distinct()) == SEEDED_STATUSES


def test_each_case_has_three_to_eight_events_starting_with_its_creation(seeded):
    counts = Case.objects.annotate(n=Count("events")).aggregate(lo=Min("n"), hi=Max("n"))

    assert counts["lo"] >= 3 and counts["hi"] <= 8
    assert seeded.events == CaseEvent.objects.count()
    for case in Case.objects.prefetch_related("events")[:50]:
        events = list(case.events.all())
        assert events[0].kind == "created" and events[0].body == case.description
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        if case.status in (Status.RESOLVED, Status.CLOSED, Status.WITHDRAWN, Status.REJECTED):
            assert events[-1].kind == "transition" and events[-1].data["to"] == case.status


def test_some_customers_complain_more_than_once(seeded):
    repeat = Customer.objects.annotate(n=Count("cases")).filter(n__gt=1)

    assert repeat.count() >= 10


def test_cases_span_a_year_with_descriptions_of_complaint_length(seeded):
    created = Case.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    lengths = sorted(len(d) for d in Case.objects.values_list("description", flat=True))

    assert created["last"] - created["first"] > timezone.timedelta(days=300)
    assert 80 <= lengths[len(lengths) // 2] <= 300


def test_open_cases_have_running_timers_and_finished_ones_stopped_timers(seeded):
    open_case = Case.objects.filter(status=Status.IN_PROGRESS).first()
    closed_case = Case.objects.filter(status=Status.CLOSED).first()
    waiting_case = Case.objects.filter(status=Status.WAITING_CUSTOMER).first()

    resolution = {"kind": "resolution"}
    assert open_case.sla_timers.filter(**resolution, stopped_at__isnull=True).exists()
    assert closed_case.sla_timers.get(**resolution).stopped_at == closed_case.closed_at
    assert waiting_case.sla_timers.get(**resolution).paused_at is not None
    assert SlaTimer.objects.filter(breached_at__isnull=False).exists()
    assert seeded.timers == SlaTimer.objects.count()


def test_the_search_marker_is_in_about_one_percent_of_cases():
    # Enough cases that 1% is not a matter of luck; no world needed for that.
    seed_cases(count=2000, batch=1000, seed=3)

    share = Case.objects.filter(description__contains=SEARCH_MARKER).count() / 2000
    assert 0.004 <= share <= 0.02


def test_numbers_are_unique_and_a_later_case_create_follows_them(seeded):
    today = f"{timezone.localdate():%Y%m%d}"
    seeded_today = Case.objects.filter(number__contains=today).values_list("number", flat=True)
    last_seeded = max((int(n[-6:]) for n in seeded_today), default=0)

    later = make_case()

    assert Case.objects.values("number").distinct().count() == 201
    assert later.number[2:10] == today and int(later.number[-6:]) == last_seeded + 1


def test_a_seeded_case_page_renders_its_timeline(seeded, world):
    case = Case.objects.annotate(n=Count("events")).filter(n=8).first() or Case.objects.first()
    client = Client()
    client.force_login(world.carol)

    response = client.get(reverse("desk:case", args=[case.number]))

    assert response.status_code == 200
    html = response.content.decode()
    timeline = html[html.index('id="timeline"') : html.index("</ol>", html.index('id="timeline"'))]
    assert timeline.count('data-kind="') == case.events.count()


def test_the_database_size_is_reported(seeded):
    assert database_size() > 0
