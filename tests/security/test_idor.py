"""Must-show 3: sequential and guessed case numbers and attachment ids, across departments
and across customers, answer 404 by every route, and each denial is audited.

The route lists are read from the URL resolver and the OpenAPI schema, so a new route that
takes a case number is covered without editing this file.
"""

import json

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver

from tingsu.api.api import api
from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Attachment, Case, CaseEvent
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def staff_routes() -> list[str]:
    """Every desk route that names a case, e.g. desk/cases/<str:number>/note/."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    return sorted(
        r
        for r in walk(get_resolver().url_patterns)
        if r.startswith("desk/") and "<str:number>" in r
    )


def api_operations() -> list[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return sorted(
        (method, path)
        for path, ops in paths.items()
        if "{number}" in path and "/portal/" not in path
        for method in ops
    )


def fill(route: str, number: str, attachment_id: int) -> str:
    url = "/" + route.replace("<str:number>", number)
    url = url.replace("<int:pk>", str(attachment_id)).replace("<str:action>", "start")
    url = url.replace("<str:decision>", "approve")
    assert "<" not in url, url
    return url


@pytest.fixture
def service_case(world):
    """A 客服中心 case assigned to alice, with a file."""
    case = make_case(department=world.service, assignee=world.alice, category=world.category)
    att = Attachment(case=case, filename="photo.png", content_type="image/png", size=len(PNG))
    att.file.save("photo.png", ContentFile(PNG), save=False)
    att.save()
    return case


def denials(**kw):
    return AuditEntry.objects.filter(action="access.denied", **kw)


def test_the_route_lists_cover_the_case_pages_and_the_api():
    routes = staff_routes()
    assert "desk/cases/<str:number>/" in routes
    assert "desk/cases/<str:number>/attachments/<int:pk>/" in routes
    assert len(routes) >= 10
    assert ("get", "/api/v1/complaints/{number}") in api_operations()
    assert ("patch", "/api/v1/complaints/{number}") in api_operations()


@pytest.mark.parametrize("who", ["erin", "dave", "bob"])
def test_every_desk_route_answers_404_outside_the_scope_and_audits_it(
    world, client, service_case, who
):
    """erin supervises 物流部, dave is an agent there, bob is alice's colleague."""
    user = getattr(world, who)
    client.force_login(user)
    att = service_case.attachments.get()
    events = CaseEvent.objects.filter(case=service_case).count()
    for route in staff_routes():
        url = fill(route, service_case.number, att.pk)
        for method in ("get", "post"):
            before = denials(actor=user, object_id=service_case.number).count()
            response = getattr(client, method)(url)
            if response.status_code == 405:
                continue
            assert response.status_code == 404, (method, url, response.status_code)
            assert denials(actor=user, object_id=service_case.number).count() == before + 1, url
    assert CaseEvent.objects.filter(case=service_case).count() == events
    entry = denials(actor=user).first()
    assert entry.object_type == "cases.case" and entry.changes == {"reason": "out_of_scope"}
    assert entry.actor_label == user.username


@pytest.mark.parametrize("who", ["erin", "dave"])
def test_every_api_operation_answers_404_outside_the_scope_and_audits_it(
    world, api_as, service_case, who
):
    user = getattr(world, who)
    api_client = api_as(user)
    for method, path in api_operations():
        url = path.replace("/api/v1", "").replace("{number}", service_case.number)
        before = denials(actor=user).count()
        send = api_client.get if method == "get" else getattr(api_client, method)
        response = send(url) if method == "get" else send(url, {"body": "x", "action": "start"})
        assert response.status_code in (404, 422), (method, url, response.content)
        if response.status_code == 404:
            body = response.json()
            assert set(body) == {"code", "message", "detail"} and body["code"] == "not_found"
            assert denials(actor=user, object_id=service_case.number).count() == before + 1
    service_case.refresh_from_db()
    assert service_case.assignee == world.alice and service_case.department == world.service


def test_guessed_and_sequential_numbers_answer_404_and_an_unknown_is_audited_once(
    world, client, service_case
):
    client.force_login(world.erin)
    number = service_case.number
    neighbour = number[:-1] + str((int(number[-1]) + 1) % 10)
    guesses = [neighbour, "TS20990101000001", "TS00000000000000", number.lower()]
    for guess in guesses:
        assert client.get(f"/desk/cases/{guess}/").status_code == 404
        assert not Case.objects.filter(number=guess).exists()
    unknown = denials(actor=world.erin, changes__reason="unknown")
    assert unknown.count() == len(guesses)  # one per request
    assert set(unknown.values_list("object_id", flat=True)) == set(guesses)


def test_a_batch_of_unknown_numbers_writes_one_entry_for_the_request(world, client, service_case):
    client.force_login(world.erin)
    numbers = [f"TS2099010100000{i}" for i in range(5)] + [service_case.number]
    client.post("/desk/batch/", {"numbers": numbers, "op": "close"})
    assert denials(actor=world.erin, changes__reason="unknown").count() == 1
    assert denials(actor=world.erin, object_id=service_case.number).count() == 1


def test_an_attachment_id_of_another_case_is_404_and_audited(world, client, service_case):
    mine = make_case(department=world.service, assignee=world.alice)
    att = service_case.attachments.get()
    client.force_login(world.alice)
    response = client.get(f"/desk/cases/{mine.number}/attachments/{att.pk}/")
    assert response.status_code == 404
    entry = denials(actor=world.alice, object_type="cases.attachment").get()
    assert entry.object_id == str(att.pk) and entry.changes == {"reason": "other_case"}
    # Guessed ids next to it: 404 too.
    for guess in (att.pk + 1, att.pk + 1000):
        assert client.get(f"/desk/cases/{mine.number}/attachments/{guess}/").status_code == 404


def test_the_portal_refuses_another_customers_attachment_and_audits_it(world, client, service_case):
    mine = make_case()
    att = service_case.attachments.get()
    token = mine.access_token()
    own = client.get(f"/portal/track/{mine.number}/files/{att.pk}/?t={token}")
    assert own.status_code == 404
    entry = denials(object_type="cases.attachment", object_id=str(att.pk)).get()
    assert entry.actor is None and entry.actor_label == "anonymous"
    assert entry.changes == {"reason": "other_case"}
    # With the other case's number but this customer's token: refused, audited as bad token.
    response = client.get(f"/portal/track/{service_case.number}/files/{att.pk}/?t={token}")
    assert response.status_code == 404
    assert denials(object_id=service_case.number, changes__reason="bad_token").count() == 1


def test_the_portal_api_refuses_a_wrong_token_and_audits_it(world, client, service_case):
    response = client.get(
        f"/api/v1/portal/complaints/{service_case.number}", {"token": make_case().access_token()}
    )
    assert response.status_code == 404
    assert json.loads(response.content)["code"] == "not_found"
    assert denials(object_id=service_case.number, changes__reason="bad_token").exists()


def test_staff_in_scope_are_not_audited_as_denied(world, client, service_case):
    for user in (world.alice, world.carol, world.root, world.quinn):
        client.force_login(user)
        assert client.get(f"/desk/cases/{service_case.number}/").status_code == 200
    assert not denials().exists()
