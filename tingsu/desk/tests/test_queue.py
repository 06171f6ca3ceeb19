import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tingsu.cases.models import Case, Channel, Severity, Status
from tingsu.core.pagination import CappedCount, CappedPaginator
from tingsu.core.testing import make_case
from tingsu.desk.tests.conftest import messages_of, rows

pytestmark = pytest.mark.django_db

URL = reverse("desk:queue")


@pytest.fixture
def spread(world):
    """alice's own case, an unassigned 客服中心 case, bob's case and a 物流部 case."""
    return {
        "mine": make_case(department=world.service, assignee=world.alice),
        "unassigned": make_case(department=world.service),
        "bobs": make_case(department=world.service, assignee=world.bob),
        "logistics": make_case(department=world.logistics),
    }


@pytest.mark.parametrize(
    "tab, expected",
    [
        ("mine", {"mine"}),
        ("unassigned", {"unassigned"}),
        ("department", {"mine", "unassigned"}),
        ("all", {"mine", "unassigned"}),
    ],
)
def test_it_lists_each_tab_within_the_agents_scope(world, login, spread, tab, expected):
    response = login(world.alice).get(URL, {"tab": tab})
    assert set(rows(response)) == {spread[k].number for k in expected}


def test_it_shows_a_supervisor_her_whole_department(world, login, spread):
    response = login(world.carol).get(URL, {"tab": "department"})
    assert set(rows(response)) == {spread[k].number for k in ("mine", "unassigned", "bobs")}


def test_it_shows_an_admin_every_case(world, login, spread):
    response = login(world.root).get(URL)
    assert set(rows(response)) == {c.number for c in spread.values()}


def test_it_filters_by_several_statuses(world, login):
    new = make_case(department=world.service)
    resolved = make_case(department=world.service, status=Status.RESOLVED)
    make_case(department=world.service, status=Status.CLOSED)
    response = login(world.carol).get(URL, {"status": ["new", "resolved"]})
    assert set(rows(response)) == {new.number, resolved.number}


def test_it_filters_by_category_including_subcategories(world, login):
    parent = make_case(department=world.service, category=world.category)
    child = make_case(department=world.service, category=world.subcategory)
    make_case(department=world.service)
    response = login(world.carol).get(URL, {"category": world.category.pk})
    assert set(rows(response)) == {parent.number, child.number}


def test_it_filters_by_severity_and_channel(world, login):
    match = make_case(department=world.service, severity=Severity.MAJOR, channel=Channel.PHONE)
    make_case(department=world.service, severity=Severity.MAJOR, channel=Channel.EMAIL)
    make_case(department=world.service, channel=Channel.PHONE)
    response = login(world.carol).get(URL, {"severity": "major", "channel": "phone"})
    assert rows(response) == [match.number]


def test_it_filters_by_date_range(world, login):
    old = make_case(department=world.service)
    new = make_case(department=world.service)
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    today = timezone.localdate()
    client = login(world.carol)
    assert rows(client.get(URL, {"date_from": today.isoformat()})) == [new.number]
    last_week = (today - dt.timedelta(days=5)).isoformat()
    assert rows(client.get(URL, {"date_to": last_week})) == [old.number]


def test_it_searches_free_text_in_chinese(world, login):
    match = make_case(department=world.service, subject="冰箱漏水")
    make_case(department=world.service, subject="快递太慢")
    response = login(world.carol).get(URL, {"q": "漏水"})
    assert rows(response) == [match.number]


def test_it_sorts(world, login):
    cases = [make_case(department=world.service) for _ in range(3)]
    numbers = [c.number for c in cases]
    client = login(world.carol)
    assert rows(client.get(URL, {"sort": "number"})) == numbers
    assert rows(client.get(URL, {"sort": "newest"})) == numbers[::-1]


def test_it_pages_by_25(world, login):
    for _ in range(27):
        make_case(department=world.service)
    client = login(world.carol)
    first = client.get(URL)
    assert len(rows(first)) == 25
    assert "page=2" in first.content.decode()
    assert len(rows(client.get(URL, {"page": 2}))) == 2


def test_it_counts_exactly_below_the_cap(world, login, settings):
    settings.TINGSU_LIST_COUNT_CAP = 30
    for _ in range(27):
        make_case(department=world.service)
    html = login(world.carol).get(URL).content.decode()
    assert '<span data-testid="queue-count">27 cases</span>' in html
    assert "Page 1 of 2" in html and 'hx-get="?page=2"' in html


def test_it_stops_counting_at_the_cap_and_still_pages(world, login, settings):
    settings.TINGSU_LIST_COUNT_CAP = 25
    cases = [make_case(department=world.service) for _ in range(27)]
    client = login(world.carol)
    first = client.get(URL, {"sort": "oldest"})
    html = first.content.decode()
    assert '<span data-testid="queue-count">25+ cases</span>' in html
    assert ">Page 1</span>" in html and "Page 1 of" not in html
    assert 'hx-get="?sort=oldest&amp;page=2"' in html
    assert rows(first) == [c.number for c in cases[:25]]
    # From page 2 on, the rest of the list is within the cap: the count is exact again.
    second = client.get(URL, {"sort": "oldest", "page": 2})
    assert rows(second) == [c.number for c in cases[25:]]
    assert '<span data-testid="queue-count">27 cases</span>' in second.content.decode()
    assert "Page 2 of 2" in second.content.decode()
    # A page past the end shows the last one, as before.
    assert rows(client.get(URL, {"sort": "oldest", "page": 9})) == rows(second)


def test_it_shows_a_capped_count_with_thousands_separators(world, rf):
    paginator = CappedPaginator(Case.objects.none(), 25)
    paginator.__dict__["_counted"] = CappedCount(1000, True)  # as if 1,001 rows matched
    request = rf.get(URL)
    request.user = world.carol
    html = render_to_string(
        "desk/partials/_queue_table.html", {"page_obj": paginator.page(1)}, request=request
    )
    assert '<span data-testid="queue-count">1,000+ cases</span>' in html
    assert ">Page 1</span>" in html


def test_it_ignores_bad_filter_values_with_a_message(world, login):
    case = make_case(department=world.service)
    response = login(world.carol).get(
        URL,
        {
            "status": "bogus",
            "category": "999999",
            "date_from": "yesterday",
            "severity": "<script>",
            "tab": "everything",
            "sort": "random",
            "page": "abc",
        },
    )
    assert response.status_code == 200
    assert rows(response) == [case.number]
    [message] = messages_of(response)
    assert "Ignored invalid filter values" in message
    assert "<script>" not in response.content.decode()


@pytest.mark.parametrize("params", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}])
def test_it_ignores_dates_at_the_ends_of_the_calendar(world, login, params):
    case = make_case(department=world.service)
    response = login(world.carol).get(URL, params)
    assert response.status_code == 200
    assert rows(response) == [case.number]
    assert messages_of(response)


def test_it_ignores_an_overlong_search(world, login):
    case = make_case(department=world.service)
    response = login(world.carol).get(URL, {"q": "长" * 500, "page": "-3"})
    assert rows(response) == [case.number]


def test_it_swaps_only_the_table_for_htmx(world, login):
    case = make_case(department=world.service)
    response = login(world.carol).get(URL, {"tab": "all"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert rows(response) == [case.number]
    assert '<nav class="navbar' not in html and 'id="batch-form"' not in html
    assert "HX-Request" in response["Vary"]


def test_it_serves_the_whole_page_on_an_htmx_history_restore(world, login):
    response = login(world.carol).get(
        URL, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert 'id="batch-form"' in response.content.decode()


def test_it_wires_filters_tabs_and_pages_for_htmx(world, login):
    for _ in range(26):
        make_case(department=world.service)
    html = login(world.carol).get(URL).content.decode()
    assert 'hx-target="#queue-table"' in html and 'hx-push-url="true"' in html
    assert 'id="queue-table"' in html
    assert 'hx-get="?page=2"' in html


def test_it_shows_the_queue_columns(world, login):
    case = make_case(
        department=world.service,
        assignee=world.alice,
        category=world.subcategory,
        severity=Severity.MAJOR,
        tags=["破损", "加急"],
    )
    html = login(world.carol).get(URL).content.decode()
    local = timezone.localtime(case.created_at).strftime("%Y-%m-%d %H:%M")
    for text in [
        case.number,
        case.subject,
        case.customer.name,
        "商品质量 / 破损",
        "severity-major",
        "P3 normal",
        "Assigned",
        "Alice",
        "客服中心",
        local,
        "破损",
        "加急",
    ]:
        assert text in html, text
    assert reverse("desk:case", args=[case.number]) in html


def seed(world, n):
    for i in range(n):
        make_case(
            department=world.service,
            assignee=world.alice if i % 2 else None,
            category=world.subcategory,
            tags=["破损", f"批次{i % 3}"],
        )


@pytest.mark.parametrize("n", [5, 30])
def test_it_loads_the_queue_in_a_fixed_number_of_queries(
    world, login, django_assert_num_queries, n
):
    seed(world, n)
    client = login(world.carol)
    # 8 for the page (the user comes with its department), +1 for the unread badge.
    with django_assert_num_queries(9):
        response = client.get(URL)
    assert len(rows(response)) == min(n, 25)


@pytest.mark.parametrize("n", [5, 30])
def test_it_loads_the_htmx_table_in_a_fixed_number_of_queries(
    world, login, django_assert_num_queries, n
):
    seed(world, n)
    client = login(world.carol)
    with django_assert_num_queries(5):
        client.get(URL, {"status": ["new", "assigned"]}, HTTP_HX_REQUEST="true")
