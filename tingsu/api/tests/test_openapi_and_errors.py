import json

import pytest

from tingsu.api.tests.conftest import assert_error
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/v1/complaints": {"get", "post"},
    "/api/v1/complaints/{number}": {"get", "patch"},
    "/api/v1/complaints/{number}/messages": {"post"},
    "/api/v1/complaints/{number}/transitions": {"post"},
    "/api/v1/complaints/{number}/assignment": {"post"},
    "/api/v1/complaints/{number}/transfer": {"post"},
    "/api/v1/complaints/{number}/timeline": {"get"},
    "/api/v1/complaints/{number}/sla": {"get"},
    "/api/v1/complaints/{number}/sla/pause": {"post"},
    "/api/v1/complaints/{number}/sla/resume": {"post"},
    "/api/v1/complaints/{number}/sla/extensions": {"post"},
    "/api/v1/complaints/{number}/sla/extension-requests/{request_id}/decision": {"post"},
    "/api/v1/portal/complaints/{number}": {"get"},
    "/api/v1/portal/complaints/{number}/messages": {"post"},
}


def test_it_publishes_the_openapi_schema_with_every_endpoint(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert {p: set(ops) for p, ops in schema["paths"].items()} == PATHS


def test_it_describes_the_bearer_security_scheme(client):
    schema = client.get("/api/v1/openapi.json").json()
    bearer = schema["components"]["securitySchemes"]["ApiKeyAuth"]
    assert bearer["type"] == "http" and bearer["scheme"] == "bearer"
    assert schema["paths"]["/api/v1/complaints"]["get"]["security"][0] == {"ApiKeyAuth": []}
    assert "security" not in schema["paths"]["/api/v1/portal/complaints/{number}"]["get"]


def test_it_documents_the_error_shape_on_every_operation(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            assert "422" in op["responses"], (method, path)
            ref = op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorOut")


def test_it_serves_the_interactive_docs_without_a_cdn(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    assert "cdn." not in html
    assert "/static/ninja/" in html


def test_it_answers_a_malformed_body_with_the_error_shape(api_as, world):
    case = make_case(category=world.category)
    api = api_as(world.alice)
    assert_error(api.post(f"/complaints/{case.number}/messages", "{not json"), 400, "bad_request")


def test_it_answers_invalid_input_with_a_list_of_errors(api_as, world):
    api = api_as(world.alice)
    body = assert_error(api.get("/complaints", {"limit": 0}), 422, "validation_error")
    assert body["detail"][0]["loc"][-1] == "limit"
    assert {"loc", "msg", "type"} <= set(body["detail"][0])


def test_it_answers_a_domain_error_with_a_field_map(api_as, world):
    api = api_as(world.alice)
    body = assert_error(api.get("/complaints", {"category": "nope"}), 422, "validation_error")
    assert list(body["detail"]) == ["category"] and body["detail"]["category"][0]


def test_it_answers_an_unknown_case_with_not_found(api_as, world):
    api = api_as(world.alice)
    assert_error(api.get("/complaints/TS20990101000001"), 404, "not_found")


def test_it_refuses_nul_characters_instead_of_failing_in_the_database(api_as, world):
    api = api_as(world.alice)
    assert_error(api.get("/complaints", {"q": "杯\x00子"}), 422, "validation_error")
    body = {"customer": {"phone": "13800001111"}, "description": "碎了\u0000"}
    assert_error(api.post("/complaints", body), 422, "validation_error")


def test_it_refuses_dates_that_cannot_be_compared(api_as, world):
    api = api_as(world.alice)
    assert_error(api.get("/complaints", {"date_to": "9999-12-31"}), 422, "validation_error")


def test_it_turns_an_unexpected_exception_into_the_error_shape(rf, caplog):
    from tingsu.api.api import api

    response = api.on_exception(rf.get("/api/v1/complaints"), RuntimeError("boom"))
    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"
    assert "boom" not in response.content.decode()
    assert "Unhandled API error" in caplog.text
