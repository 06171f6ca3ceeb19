"""/desk/notifications/: a staff member's own in-app notifications and the nav badge."""

import re

import pytest
from django.urls import reverse

from tingsu.cases.services import Actor, case_add_note, case_assign, case_transfer
from tingsu.channels.models import StaffNotification, StaffNotificationKind
from tingsu.channels.services import staff_notification_mark_read
from tingsu.core.errors import NotFound
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db

URL = reverse("desk:notifications")
READ_ALL = reverse("desk:notifications_read_all")


def read_url(note) -> str:
    return reverse("desk:notification_read", args=[note.pk])


def listed_html(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-notification="(\d+)"', html)]


def listed(response) -> list[int]:
    return listed_html(response.content.decode())


def badge(response) -> str | None:
    found = re.search(r'data-testid="unread-badge"[^>]*>(\d+)<', response.content.decode())
    return found.group(1) if found else None


def note_for(user, **fields) -> StaffNotification:
    values = {"kind": StaffNotificationKind.ASSIGNED, "text": "案件通知"}
    return StaffNotification.objects.create(user=user, **(values | fields))


def test_an_assignment_shows_on_the_assignees_page_with_a_link_to_the_case(world, login):
    case = make_case(department=world.service)
    case_assign(actor=Actor.staff(world.carol), case=case, assignee=world.bob)
    note = StaffNotification.objects.get(user=world.bob)

    html = login(world.bob).get(URL).content.decode()

    assert listed_html(html) == [note.pk]
    assert "Assigned to you" in html
    assert f'href="{reverse("desk:case", args=[case.number])}"' in html


def test_a_transfer_shows_on_the_receiving_supervisors_page_only(world, login, client):
    case = make_case(department=world.service, assignee=world.alice)
    case_transfer(
        actor=Actor.staff(world.alice), case=case, department=world.logistics, reason="物流问题"
    )
    note = StaffNotification.objects.get(kind=StaffNotificationKind.TRANSFERRED)

    html = login(world.erin).get(URL).content.decode()
    assert listed_html(html) == [note.pk]
    assert "Transferred to your department" in html
    assert reverse("desk:case", args=[case.number]) in html
    for other in (world.carol, world.alice, world.bob):
        client.force_login(other)
        assert listed(client.get(URL)) == []


def test_a_mention_shows_on_the_mentioned_users_page_only(world, login, client):
    case = make_case(department=world.service, assignee=world.alice)
    case_add_note(actor=Actor.staff(world.alice), case=case, body="@carol 请看一下")
    note = StaffNotification.objects.get(kind=StaffNotificationKind.MENTIONED)

    assert listed(login(world.carol).get(URL)) == [note.pk]
    client.force_login(world.bob)
    assert listed(client.get(URL)) == []


def test_a_case_no_longer_in_scope_shows_the_text_without_a_link(world, login):
    case = make_case(department=world.service)
    case_assign(actor=Actor.staff(world.carol), case=case, assignee=world.bob)
    case_transfer(
        actor=Actor.staff(world.carol), case=case, department=world.logistics, reason="转物流"
    )
    note = StaffNotification.objects.get(user=world.bob)

    html = login(world.bob).get(URL).content.decode()

    assert listed_html(html) == [note.pk]
    assert note.text in html
    assert reverse("desk:case", args=[case.number]) not in html
    assert "case no longer in your scope" in html


def test_it_lists_newest_first_25_to_a_page(world, login):
    notes = [note_for(world.bob, text=f"通知{i}") for i in range(27)]
    client = login(world.bob)

    first = client.get(URL)
    assert listed(first) == [n.pk for n in notes[::-1][:25]]
    assert "?page=2" in first.content.decode()
    assert listed(client.get(URL, {"page": 2})) == [notes[1].pk, notes[0].pk]
    assert listed(client.get(URL, {"page": "abc"})) == listed(first)


def test_the_nav_badge_counts_the_users_unread_notifications(world, login):
    note_for(world.bob)
    note_for(world.bob)
    read = note_for(world.bob)
    StaffNotification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    note_for(world.alice)
    client = login(world.bob)

    assert badge(client.get(reverse("desk:queue"))) == "2"
    assert badge(client.get(URL)) == "2"
    client.force_login(world.carol)
    response = client.get(reverse("desk:queue"))
    assert badge(response) is None
    assert URL in response.content.decode()


def test_marking_one_read_changes_only_that_one(world, login):
    first, second = note_for(world.bob), note_for(world.bob)
    client = login(world.bob)

    response = client.post(read_url(first), {"page": "1"})

    assert response.status_code == 302 and response["Location"] == f"{URL}?page=1"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert badge(client.get(URL)) == "1"


def test_marking_all_read_changes_only_the_users_own_rows(world, login):
    mine = [note_for(world.bob) for _ in range(3)]
    theirs = note_for(world.alice)
    client = login(world.bob)

    response = client.post(READ_ALL, follow=True)

    assert "3 notifications marked read." in response.content.decode()
    assert badge(response) is None
    assert all(StaffNotification.objects.get(pk=n.pk).read_at for n in mine)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_another_users_notification_read_is_404_and_changes_nothing(world, login):
    theirs = note_for(world.alice)

    response = login(world.bob).post(read_url(theirs))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_service_refuses_a_mix_of_own_and_foreign_ids_and_changes_nothing(world):
    mine, theirs = note_for(world.bob), note_for(world.alice)

    with pytest.raises(NotFound):
        staff_notification_mark_read(user=world.bob, ids=[mine.pk, theirs.pk])
    with pytest.raises(NotFound):
        staff_notification_mark_read(user=world.bob, ids=[])

    assert not StaffNotification.objects.filter(read_at__isnull=False).exists()
    assert staff_notification_mark_read(user=world.bob, ids=[mine.pk]) == 1
    assert staff_notification_mark_read(user=world.bob, ids=[mine.pk]) == 0


def test_marking_read_needs_a_post_and_a_login(world, client):
    note = note_for(world.bob)
    assert client.get(URL).status_code == 302
    assert client.post(read_url(note)).status_code == 302
    client.force_login(world.bob)
    assert client.get(read_url(note)).status_code == 405
    assert client.get(READ_ALL).status_code == 405
    note.refresh_from_db()
    assert note.read_at is None


@pytest.mark.parametrize("n", [3, 30])
def test_the_page_runs_a_fixed_number_of_queries(world, login, django_assert_num_queries, n):
    for i in range(n):
        case = make_case(department=world.service)
        note_for(world.carol, case=case, text=f"通知{i}")
    client = login(world.carol)
    # session, user, count, page, cases still in scope, nav badge, nav department
    with django_assert_num_queries(6):
        response = client.get(URL)
    assert len(listed(response)) == min(n, 25)
