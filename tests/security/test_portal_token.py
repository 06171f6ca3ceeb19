"""Must-show 4: the portal with case number plus email but no token is refused, and
look-ups are rate-limited per client IP and per case number (429)."""

import pytest
import time_machine

from tingsu.core.testing import make_case, make_customer

pytestmark = pytest.mark.django_db

RATE = "3/600"


@pytest.fixture
def case(world):
    return make_case(customer=make_customer(email="wf@example.com"))


@pytest.fixture
def low_rate(settings):
    settings.TINGSU = {**settings.TINGSU, "PORTAL_LOOKUP_RATE": RATE}


def test_number_and_email_without_token_is_refused_on_the_page(client, case):
    response = client.get(f"/portal/track/{case.number}/", {"email": "wf@example.com"})

    assert response.status_code == 404
    assert case.subject not in response.content.decode()


def test_number_and_email_on_the_lookup_form_is_refused_with_a_message(client, case):
    response = client.post(
        "/portal/", {"number": case.number, "token": "", "email": "wf@example.com"}
    )

    assert response.status_code == 200
    assert response.context["track_form"].non_field_errors()
    assert case.subject not in response.content.decode()


def test_number_and_email_without_token_is_refused_on_the_api(client, case):
    response = client.get(f"/api/v1/portal/complaints/{case.number}", {"email": "wf@example.com"})

    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == "not_found"


def test_a_wrong_token_looks_exactly_like_a_missing_case(client, case):
    wrong = client.get(f"/api/v1/portal/complaints/{case.number}", {"token": "x" * 40})
    missing = client.get("/api/v1/portal/complaints/TS20990101999999", {"token": "x" * 40})

    assert wrong.status_code == missing.status_code == 404
    assert wrong.json() == missing.json()


def test_guessing_tokens_from_one_ip_is_stopped_with_429_on_the_api(client, case, low_rate):
    for _ in range(3):
        response = client.get(f"/api/v1/portal/complaints/{case.number}", {"token": "guess"})
        assert response.status_code == 404

    response = client.get(f"/api/v1/portal/complaints/{case.number}", {"token": "guess"})

    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == "rate_limited"
    assert int(response["Retry-After"]) == 600
    # While throttled, even the right token gets 429: a 429 tells nothing about the token.
    right = client.get(f"/api/v1/portal/complaints/{case.number}", {"token": case.access_token()})
    assert right.status_code == 429


def test_guessing_on_the_lookup_form_is_stopped_with_a_form_message(client, case, low_rate):
    for _ in range(3):
        client.post("/portal/", {"number": case.number, "token": "guess"})

    response = client.post("/portal/", {"number": case.number, "token": "guess"})

    assert response.status_code == 429
    errors = " ".join(response.context["track_form"].non_field_errors())
    assert errors
    assert response["Retry-After"] == "600"


def test_the_tracking_link_page_is_throttled_too(client, case, low_rate):
    for _ in range(3):
        client.get(f"/portal/track/{case.number}/", {"t": "guess"})

    response = client.get(f"/portal/track/{case.number}/", {"t": case.access_token()})

    assert response.status_code == 429
    assert response.context["track_form"].non_field_errors()


def test_one_ip_guessing_many_case_numbers_is_throttled(client, world, low_rate):
    cases = [make_case() for _ in range(4)]
    for c in cases[:3]:
        assert (
            client.get(f"/api/v1/portal/complaints/{c.number}", {"token": "g"}).status_code == 404
        )

    response = client.get(f"/api/v1/portal/complaints/{cases[3].number}", {"token": "g"})

    assert response.status_code == 429


def test_many_ips_guessing_one_case_number_are_throttled(client, case, low_rate):
    for i in range(3):
        client.get(
            f"/api/v1/portal/complaints/{case.number}", {"token": "g"}, REMOTE_ADDR=f"10.0.0.{i}"
        )

    response = client.get(
        f"/api/v1/portal/complaints/{case.number}", {"token": "g"}, REMOTE_ADDR="10.0.0.99"
    )

    assert response.status_code == 429


def test_the_right_token_is_never_counted_and_the_window_ends(client, case, low_rate):
    with time_machine.travel("2026-11-23 10:00:00+00:00", tick=False) as traveller:
        for _ in range(10):
            ok = client.get(f"/portal/track/{case.number}/", {"t": case.access_token()})
            assert ok.status_code == 200
        for _ in range(3):
            client.get(f"/portal/track/{case.number}/", {"t": "guess"})
        assert client.get(f"/portal/track/{case.number}/", {"t": "guess"}).status_code == 429

        traveller.shift(601)

        ok = client.get(f"/portal/track/{case.number}/", {"t": case.access_token()})
        assert ok.status_code == 200
