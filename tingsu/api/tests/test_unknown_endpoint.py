import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/complaints/TS1/nope/deeper"])
def test_it_answers_an_unknown_endpoint_in_the_json_error_shape(client, path):
    response = client.get(path)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert set(body) == {"code", "message", "detail"}


def test_known_endpoints_still_answer(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Tingsu API"
