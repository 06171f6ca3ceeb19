from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from tingsu.accounts.models import Department, User
from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Case, CaseEvent, Category, EventKind, Status
from tingsu.core.testing import make_case
from tingsu.customers.models import Customer, Tier
from tingsu.demo.accounts import DEMO_LOGINS, DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_it_loads_the_full_demo_company_with_every_status_and_real_timelines():
    output = demo()

    assert set(Department.objects.values_list("code", flat=True)) == {
        "service",
        "logistics",
        "quality",
        "finance",
        "stores",
    }
    assert User.objects.filter(username__in=[d.username for d in DEMO_LOGINS]).count() == 8
    assert Category.objects.filter(parent=None).count() == 6
    assert Case.objects.count() >= 250
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    assert not Case.objects.exclude(events__kind=EventKind.CREATED).exists()
    assert AuditEntry.objects.filter(action="case.create").count() == Case.objects.count()
    # Spread over the last 90 days, never in the future.
    now = timezone.now()
    oldest = Case.objects.order_by("created_at").first().created_at
    assert timezone.timedelta(days=60) < now - oldest <= timezone.timedelta(days=91)
    assert not CaseEvent.objects.filter(created_at__gt=now).exists()
    # Events were written in time order, so ids and times agree.
    times = list(CaseEvent.objects.order_by("id").values_list("created_at", flat=True))
    assert times == sorted(times)
    # Repeat customers and VIPs exist; resolved and closed cases carry their codes.
    repeat = Customer.objects.annotate(n=Count("cases")).filter(n__gte=3)
    assert repeat.count() >= 5
    assert Customer.objects.filter(tier=Tier.VIP).exists()
    done = Case.objects.filter(status__in=[Status.RESOLVED, Status.CLOSED])
    assert not done.filter(resolution_code=None).exists()
    assert not done.filter(root_cause=None).exists()
    assert Case.objects.filter(status=Status.MERGED, merged_into=None).count() == 0
    assert "Loaded the demo company" in output
    assert "zhangwei" in output and DEMO_PASSWORD in output


def test_running_it_twice_does_not_duplicate_anything():
    demo("--cases", "20")
    counts = (Case.objects.count(), User.objects.count(), Customer.objects.count())

    output = demo("--cases", "20")

    assert "already loaded" in output
    assert (Case.objects.count(), User.objects.count(), Customer.objects.count()) == counts
    assert counts[0] == 20


def test_if_empty_leaves_a_database_that_has_cases_alone(world):
    make_case()

    output = demo("--if-empty")

    assert "not loaded" in output
    assert Case.objects.count() == 1
    assert not User.objects.filter(username="zhangwei").exists()


def test_if_empty_loads_an_empty_database():
    output = demo("--if-empty", "--cases", "12")

    assert "Loaded the demo company" in output
    assert Case.objects.count() == 12


def test_every_demo_login_works(client):
    demo("--cases", "0")

    for login in DEMO_LOGINS:
        assert client.login(username=login.username, password=DEMO_PASSWORD), login.username
        client.logout()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff


def test_the_demo_history_tells_no_customer_and_no_integrator(db):
    from django.core.management import call_command

    from tingsu.channels.models import OutboxMessage

    call_command("demo", "--cases", "20", stdout=StringIO())
    assert not OutboxMessage.objects.exists()
