"""The queue shows time left in colour, sorts by the nearest deadline and filters warnings and
breaches; the case page lists each timer."""

import re

import pytest
from django.urls import reverse

from tingsu.cases.services import Actor, case_add_message, case_transition
from tingsu.sla.services import sla_claim_due

from .helpers import at, new_case, travel

pytestmark = pytest.mark.django_db
URL = reverse("desk:queue")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def states(response) -> dict[str, str]:
    """case number -> SLA state shown in its row."""
    html = response.content.decode()
    out = {}
    for number, row in re.findall(r'<tr data-number="([^"]+)">(.*?)</tr>', html, re.S):
        m = re.search(r'data-sla="(\w+)"', row)
        out[number] = m.group(1) if m else "none"
    return out


def order(response) -> list[str]:
    return re.findall(r'<tr data-number="([^"]+)">', response.content.decode())


@pytest.fixture
def four(world):
    """At Mon 2025-10-13 16:30: a fresh case (ok), a warned one, a breached one, a paused one."""
    fresh = new_case(world, at(2025, 10, 13, 16, 0))  # first response due Tue 15:00
    warned = new_case(world, at(2025, 10, 13, 9, 0))  # due 17:00; 75% at 15:00
    breached = new_case(world, at(2025, 10, 10, 9, 0))  # due Fri 17:00
    paused = new_case(world, at(2025, 10, 13, 9, 0))
    with travel(at(2025, 10, 13, 9, 30)):
        case_add_message(actor=Actor.staff(world.alice), case=paused, body="请补充")
        case_transition(actor=Actor.staff(world.alice), case=paused, action="wait_customer")
    with travel(at(2025, 10, 13, 16, 30)):
        while sla_claim_due():
            pass
    return {"fresh": fresh, "warned": warned, "breached": breached, "paused": paused}


def test_the_queue_colours_time_left_by_state(world, client, four):
    client.force_login(world.carol)
    with travel(at(2025, 10, 13, 16, 30)):
        response = client.get(URL)
    shown = states(response)
    assert shown[four["fresh"].number] == "ok"
    assert shown[four["warned"].number] == "warning"
    assert shown[four["breached"].number] == "breached"
    assert shown[four["paused"].number] == "paused"
    assert "Time left" in response.content.decode()


def test_it_filters_warnings_and_breaches(world, client, four):
    client.force_login(world.carol)
    with travel(at(2025, 10, 13, 16, 30)):
        warning = order(client.get(URL, {"sla": "warning"}))
        breached = order(client.get(URL, {"sla": "breached"}))
    assert warning == [four["warned"].number]
    assert breached == [four["breached"].number]


def test_it_sorts_by_the_nearest_deadline_with_no_deadline_last(world, client, four):
    client.force_login(world.carol)
    with travel(at(2025, 10, 13, 16, 30)):
        numbers = order(client.get(URL, {"sort": "due"}))
    # Breached Fri 17:00 (its resolution timer is due later, the earliest counts), warned
    # Mon 17:00, fresh Tue 15:00; the paused case still has its first-response timer
    # stopped and resolution paused, so it has no running deadline and comes last.
    assert numbers == [
        four["breached"].number,
        four["warned"].number,
        four["fresh"].number,
        four["paused"].number,
    ]


@pytest.mark.parametrize("n", [3, 12])
def test_the_sla_column_adds_no_query_per_row(world, client, django_assert_num_queries, n):
    for _ in range(n):
        new_case(world, at(2025, 10, 13, 9, 0))
    client.force_login(world.carol)
    # The same count as the desk's own locked test (9), whatever the number of rows.
    with travel(at(2025, 10, 13, 10, 0)), django_assert_num_queries(9):
        client.get(URL, {"sort": "due", "sla": ""})


def test_the_case_page_lists_each_timer_with_its_state(world, client, four):
    client.force_login(world.carol)
    with travel(at(2025, 10, 13, 16, 30)):
        html = client.get(reverse("desk:case", args=[four["paused"].number])).content.decode()
    assert 'data-testid="sla-timers"' in html
    assert re.search(r'data-kind="resolution" data-state="paused"', html)
    assert re.search(r'data-kind="first_response" data-state="stopped"', html)
    with travel(at(2025, 10, 13, 16, 30)):
        html = client.get(reverse("desk:case", args=[four["warned"].number])).content.decode()
    assert re.search(r'data-kind="first_response" data-state="warning"', html)
    assert "2025-10-13 17:00" in html
    assert "30m left" in html
