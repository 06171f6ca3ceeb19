"""Login lock-out (django-axes) on the desk and admin logins, and idle session expiry."""

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse

from tingsu.core.testing import PASSWORD

pytestmark = pytest.mark.django_db

T0 = "2026-11-23 08:00:00+00:00"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def attempt(client, url, username, password):
    return client.post(url, {"username": username, "password": password})


@pytest.mark.parametrize("url", ["/desk/login/", "/admin/login/"])
def test_it_locks_a_username_out_after_the_failure_limit(world, client, settings, url):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        response = attempt(client, url, "root", "wrong-password")
        assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated
    response = attempt(client, url, "root", "wrong-password")
    assert response.status_code == 429
    assert b"Too many failed logins" in response.content
    # Locked: even the right password is refused now.
    response = attempt(client, url, "root", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="root").failures_since_start >= 3


def test_the_lock_out_ends_after_the_cool_off(world, client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(2):
            attempt(client, "/desk/login/", "alice", "nope")
        assert attempt(client, "/desk/login/", "alice", PASSWORD).status_code == 429
        clock.shift(settings.AXES_COOLOFF_TIME * 3600 + 60)
        response = attempt(client, "/desk/login/", "alice", PASSWORD)
        assert response.status_code == 302 and response["Location"] == reverse("desk:queue")


def test_one_users_failures_do_not_lock_another(world, client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(3):
        attempt(client, "/desk/login/", "bob", "nope")
    response = attempt(client, "/desk/login/", "alice", PASSWORD)
    assert response.status_code == 302


def test_a_successful_login_resets_the_count(world, client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    attempt(client, "/desk/login/", "alice", "nope")
    attempt(client, "/desk/login/", "alice", "nope")
    assert attempt(client, "/desk/login/", "alice", PASSWORD).status_code == 302
    client.post(reverse("desk:logout"))
    attempt(client, "/desk/login/", "alice", "nope")
    assert attempt(client, "/desk/login/", "alice", PASSWORD).status_code == 302


def test_an_idle_session_ends_and_an_active_one_lasts(world, client, settings):
    settings.TINGSU_SESSION_IDLE_MINUTES = 30
    with time_machine.travel(T0, tick=False) as clock:
        assert attempt(client, "/desk/login/", "alice", PASSWORD).status_code == 302
        for _ in range(4):  # active every 20 minutes: still in after 80 minutes
            clock.shift(20 * 60)
            assert client.get("/desk/").status_code == 200
        clock.shift(31 * 60)
        response = client.get("/desk/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("desk:login"))
        assert client.get("/desk/").status_code == 302


def test_session_and_csrf_cookies_are_http_only_where_they_can_be(world, client):
    response = attempt(client, "/desk/login/", "alice", PASSWORD)
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 480 * 60
