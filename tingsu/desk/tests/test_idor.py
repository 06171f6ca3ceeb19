"""Every desk URL answers 404 for a case outside the user's scope and sends strangers to log in."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tingsu.cases.models import Case, CaseEvent
from tingsu.core.testing import make_case
from tingsu.desk.tests.conftest import PNG

pytestmark = pytest.mark.django_db

ACTIONS = [
    ("desk:reply", {}, {"body": "你好"}),
    ("desk:note", {}, {"body": "内部备注"}),
    ("desk:assign", {}, {"assignee": "0"}),
    ("desk:transfer", {}, {"department": "0", "reason": "x"}),
    ("desk:update", {}, {"severity": "major", "priority": "1"}),
    ("desk:transition", {"action": "start"}, {}),
    ("desk:transition", {"action": "resolve"}, {"summary": "x"}),
    ("desk:transition", {"action": "reject"}, {"reason": "x"}),
]


@pytest.fixture
def case(world):
    return make_case(
        department=world.service,
        assignee=world.alice,
        attachments=[SimpleUploadedFile("photo.png", PNG, content_type="image/png")],
    )


def urls_for(case):
    attachment = case.attachments.get()
    gets = [
        reverse("desk:case", args=[case.number]),
        reverse("desk:attachment", args=[case.number, attachment.pk]),
    ]
    posts = [
        (reverse(name, kwargs={"number": case.number, **kw}), data) for name, kw, data in ACTIONS
    ]
    return gets, posts


@pytest.mark.parametrize("who", ["dave", "erin", "bob"])
def test_it_answers_404_to_staff_outside_the_cases_scope(world, login, case, who):
    client = login(getattr(world, who))
    gets, posts = urls_for(case)
    for url in gets:
        assert client.get(url).status_code == 404, url
    events = CaseEvent.objects.filter(case=case).count()
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert CaseEvent.objects.filter(case=case).count() == events
    case.refresh_from_db()
    assert case.severity == "normal" and case.assignee == world.alice


def test_it_answers_404_for_a_case_number_that_does_not_exist(world, login):
    client = login(world.root)
    assert client.get(reverse("desk:case", args=["TS20990101000001"])).status_code == 404
    url = reverse("desk:note", args=["TS20990101000001"])
    assert client.post(url, {"body": "x"}).status_code == 404


def test_it_answers_404_for_an_attachment_of_another_case(world, login, case):
    other = make_case(department=world.service, assignee=world.alice)
    url = reverse("desk:attachment", args=[other.number, case.attachments.get().pk])
    assert login(world.alice).get(url).status_code == 404


@pytest.mark.parametrize("who", ["alice", "carol", "root", "quinn"])
def test_it_shows_the_case_to_staff_in_scope(world, login, case, who):
    client = login(getattr(world, who))
    gets, _ = urls_for(case)
    for url in gets:
        assert client.get(url).status_code == 200, url


def test_it_lets_a_supervisor_see_every_case_of_her_department(world, login):
    cases = [
        make_case(department=world.service, assignee=world.bob),
        make_case(department=world.service),
    ]
    client = login(world.carol)
    for case in cases:
        assert client.get(reverse("desk:case", args=[case.number])).status_code == 200


def test_it_hides_other_scopes_from_the_queue(world, login, case):
    html = login(world.dave).get(reverse("desk:queue")).content.decode()
    assert case.number not in html
    html = login(world.bob).get(reverse("desk:queue")).content.decode()
    assert case.number not in html


def test_it_sends_anonymous_visitors_to_the_login_page(client, case):
    gets, posts = urls_for(case)
    gets += [reverse("desk:queue")]
    posts += [(reverse("desk:batch"), {"op": "close", "numbers": [case.number]})]
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("desk:login"))
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 302 and response.url.startswith(reverse("desk:login"))
    assert Case.objects.get(pk=case.pk).status == case.status
