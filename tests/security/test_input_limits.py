"""Must-show 9: parameter pollution, more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS and
oversized bodies get a 400 (our JSON shape on the API, an error page on pages), never 500,
and nothing is written."""

import json

import pytest
from django.conf import settings as django_settings

from tingsu.accounts.models import ApiKeyScope
from tingsu.cases.models import Case, CaseEvent
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db

TOO_MANY = django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1


def many_fields(n: int = TOO_MANY) -> str:
    return "&".join(f"f{i}=1" for i in range(n))


def assert_json_400(response):
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == "bad_request"
    assert body["message"]
    return body


@pytest.fixture
def case(world):
    return make_case(department=world.service)


def test_a_repeated_scalar_query_parameter_is_refused_on_the_api(client, case):
    url = f"/api/v1/portal/complaints/{case.number}?token=wrong&token={case.access_token()}"

    body = assert_json_400(client.get(url))

    assert "token" in body["message"]


def test_a_repeated_list_parameter_is_a_list_on_the_api(api_as, world, case):
    closed = make_case(department=world.service, status="closed")
    api = api_as(world.carol, scopes=[ApiKeyScope.READ])

    response = api.client.get(
        "/api/v1/complaints?status=new&status=closed",
        headers={"Authorization": f"Bearer {api.raw_key}"},
    )

    assert response.status_code == 200
    numbers = {item["number"] for item in response.json()["items"]}
    assert numbers == {case.number, closed.number}


def test_a_repeated_scalar_filter_is_refused_on_the_api(api_as, world, case):
    api = api_as(world.carol, scopes=[ApiKeyScope.READ])
    response = api.client.get(
        "/api/v1/complaints?severity=normal&severity=urgent",
        headers={"Authorization": f"Bearer {api.raw_key}"},
    )
    assert_json_400(response)


def test_a_duplicated_json_key_is_refused(client, case):
    url = f"/api/v1/portal/complaints/{case.number}/messages?token={case.access_token()}"
    events = CaseEvent.objects.count()

    response = client.post(
        url, '{"body": "第一条", "body": "第二条"}', content_type="application/json"
    )

    body = assert_json_400(response)
    assert body["detail"] == {"key": "body"}
    assert CaseEvent.objects.count() == events


def test_an_array_where_a_string_is_expected_is_a_422(client, case):
    url = f"/api/v1/portal/complaints/{case.number}/messages?token={case.access_token()}"

    response = client.post(url, {"body": ["a", "b"]}, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_an_array_where_an_object_is_expected_on_intake_is_a_422(api_as, world):
    body = {"customer": [{"name": "王芳"}], "subject": ["a"], "description": {"x": 1}}
    response = api_as(None, scopes=[ApiKeyScope.INTAKE]).post("/complaints", body)
    assert response.status_code == 422
    assert not Case.objects.exists()


def test_broken_json_is_a_400(api_as, world):
    response = api_as(None, scopes=[ApiKeyScope.INTAKE]).post("/complaints", '{"customer": ')
    assert_json_400(response)


def test_too_many_query_fields_on_the_api_is_a_400(client, case):
    url = f"/api/v1/portal/complaints/{case.number}?token={case.access_token()}&{many_fields()}"
    assert_json_400(client.get(url))


def test_too_many_form_fields_on_the_api_is_a_400(api_as, world):
    api = api_as(None, scopes=[ApiKeyScope.INTAKE])
    response = api.client.post(
        "/api/v1/complaints",
        many_fields(),
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": f"Bearer {api.raw_key}"},
    )
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_an_oversized_body_on_the_api_is_a_400(client, case, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    url = f"/api/v1/portal/complaints/{case.number}/messages?token={case.access_token()}"
    events = CaseEvent.objects.count()

    payload = json.dumps({"body": "长" * 2000}, ensure_ascii=False)
    response = client.post(url, payload, content_type="application/json")

    assert_json_400(response)
    assert CaseEvent.objects.count() == events


def test_too_many_form_fields_on_a_portal_page_is_an_error_page(client, world):
    response = client.post(
        "/portal/new/", many_fields(), content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert b"<h1>" in response.content
    assert not Case.objects.exists()


def test_too_many_query_fields_on_a_desk_page_is_an_error_page(client, world):
    client.force_login(world.carol)
    response = client.get(f"/desk/?{many_fields()}")
    assert response.status_code == 400


def test_an_oversized_form_on_a_portal_page_is_an_error_page(client, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post(
        "/portal/new/",
        "description=" + "x" * 4096,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_a_polluted_queue_filter_on_the_desk_is_not_an_error(client, world, case):
    client.force_login(world.carol)
    response = client.get("/desk/?status=new&status=closed&severity=normal&severity=urgent")
    assert response.status_code == 200
