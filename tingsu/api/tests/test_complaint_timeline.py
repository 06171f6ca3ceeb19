import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tingsu.api.tests.conftest import assert_error
from tingsu.cases.services import Actor, case_add_message, case_add_note
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def test_it_shows_the_whole_timeline_to_staff(api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    photo = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    case_add_message(
        actor=Actor.customer(case.customer), case=case, body="补充照片", attachments=[photo]
    )
    case_add_note(actor=Actor.staff(world.alice), case=case, body="内部：疑似运输破损")
    response = api_as(world.alice).get(f"/complaints/{case.number}/timeline")
    assert response.status_code == 200
    body = response.json()
    kinds = [(e["kind"], e["author_type"], e["is_public"]) for e in body["items"]]
    assert kinds == [
        ("created", "customer", True),
        ("assigned", "staff", False),
        ("transition", "staff", True),
        ("message", "customer", True),
        ("note", "staff", False),
    ]
    assert body["count"] == 5
    assert body["items"][2]["data"]["to"] == "assigned"
    message = body["items"][3]
    assert message["author_name"] == case.customer.name
    assert message["attachments"][0]["filename"] == "photo.png"
    assert body["items"][4]["author_name"] == "Alice"


def test_it_pages_the_timeline(api_as, world):
    case = make_case(category=world.category, assignee=world.alice)
    response = api_as(world.alice).get(
        f"/complaints/{case.number}/timeline", {"limit": 1, "offset": 1}
    )
    body = response.json()
    assert body["count"] == 3 and [e["kind"] for e in body["items"]] == ["assigned"]


def test_its_query_count_does_not_grow_with_the_events(api_as, world, django_assert_num_queries):
    case = make_case(category=world.category, assignee=world.alice)
    for i in range(5):
        case_add_note(actor=Actor.staff(world.alice), case=case, body=f"备注{i}")
    api = api_as(world.alice)
    # configuration version, key lookup (then cached per process), last_used_at, case,
    # events, attachments, count
    with django_assert_num_queries(7):
        assert api.get(f"/complaints/{case.number}/timeline").status_code == 200


def test_it_rejects_a_case_outside_the_keys_scope_as_not_found(api_as, world):
    case = make_case(category=world.category)
    assert_error(api_as(world.dave).get(f"/complaints/{case.number}/timeline"), 404, "not_found")
