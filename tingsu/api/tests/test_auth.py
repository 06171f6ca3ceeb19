import pytest
import time_machine
from django.test import Client

from tingsu.accounts.models import ApiKey, ApiKeyScope
from tingsu.api.tests.conftest import ApiClient, assert_error
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db


def test_it_rejects_a_request_without_a_key(anonymous):
    assert_error(anonymous.get("/complaints"), 401, "not_authenticated")


def test_it_rejects_a_write_without_a_key_with_401_not_a_csrf_error(anonymous):
    body = {"customer": {"phone": "13800001111"}, "description": "杯子碎了"}
    assert_error(anonymous.post("/complaints", body), 401, "not_authenticated")


def test_it_rejects_an_unknown_key(client, world):
    api = ApiClient(client, "tsk_" + "x" * 43)
    assert_error(api.get("/complaints"), 401, "not_authenticated")


def test_it_rejects_a_header_that_is_not_bearer(client, make_key, world):
    raw = make_key(user=world.alice)
    response = client.get("/api/v1/complaints", headers={"Authorization": f"Token {raw}"})
    assert_error(response, 401, "not_authenticated")


def test_it_rejects_a_deactivated_key(api_as, world):
    api = api_as(world.alice)
    ApiKey.objects.update(is_active=False)
    assert_error(api.get("/complaints"), 401, "not_authenticated")


def test_it_rejects_a_key_without_the_scope(api_as, world):
    api = api_as(world.alice, scopes=[ApiKeyScope.INTAKE])
    body = assert_error(api.get("/complaints"), 403, "permission_denied")
    assert body["detail"] == {"required_scope": "read"}


def test_it_rejects_a_read_key_that_acts_as_no_user(api_as):
    api = api_as(None, scopes=[ApiKeyScope.READ])
    assert_error(api.get("/complaints"), 403, "permission_denied")


def test_it_rejects_a_key_whose_user_was_deactivated(api_as, world):
    api = api_as(world.alice, scopes=[ApiKeyScope.READ])
    world.alice.is_active = False
    world.alice.save()
    response = api.get("/complaints")
    # Refused either as an unusable key (401) or as a key without a staff user (403).
    assert response.status_code in (401, 403)
    assert response.json()["code"] in ("not_authenticated", "permission_denied")


def test_it_records_when_a_key_was_last_used(api_as, world):
    api = api_as(world.alice)
    assert api.get("/complaints").status_code == 200
    assert ApiKey.objects.get().last_used_at is not None


def test_it_rate_limits_a_key_per_minute(api_as, world):
    api = api_as(world.alice, rate_limit_per_minute=3)
    with time_machine.travel("2026-11-23 10:00:05 +0800", tick=False):
        for _ in range(3):
            assert api.get("/complaints").status_code == 200
        response = api.get("/complaints")
    body = assert_error(response, 429, "rate_limited")
    assert response["Retry-After"] == "55"
    assert body["detail"] == {"retry_after": 55}


def test_it_opens_a_new_window_the_next_minute(api_as, world):
    api = api_as(world.alice, rate_limit_per_minute=1)
    with time_machine.travel("2026-11-23 10:00:05 +0800", tick=False):
        assert api.get("/complaints").status_code == 200
        assert api.get("/complaints").status_code == 429
    with time_machine.travel("2026-11-23 10:01:00 +0800", tick=False):
        assert api.get("/complaints").status_code == 200


def test_it_counts_each_key_separately(api_as, world):
    first = api_as(world.alice, rate_limit_per_minute=1)
    second = api_as(world.alice, rate_limit_per_minute=1)
    with time_machine.travel("2026-11-23 10:00:05 +0800", tick=False):
        assert first.get("/complaints").status_code == 200
        assert first.get("/complaints").status_code == 429
        assert second.get("/complaints").status_code == 200


def test_it_accepts_a_logged_in_staff_session(client, world):
    case = make_case(category=world.category)
    client.force_login(world.alice)
    response = client.get("/api/v1/complaints")
    assert response.status_code == 200
    assert [c["number"] for c in response.json()["items"]] == [case.number]


def test_it_rejects_a_session_write_without_a_csrf_token(world):
    case = make_case(category=world.category)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    response = client.post(
        f"/api/v1/complaints/{case.number}/messages",
        data={"body": "您好"},
        content_type="application/json",
    )
    assert_error(response, 403, "permission_denied")
    assert case.events.count() == 1


def test_it_accepts_a_session_write_with_the_csrf_token(world):
    case = make_case(category=world.category)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    client.get("/api/v1/docs")
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"/api/v1/complaints/{case.number}/messages",
        data={"body": "您好"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201, response.content
