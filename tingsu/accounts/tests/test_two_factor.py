"""TOTP two-factor: required for admin, compliance and superusers before any staff page;
optional for others. Codes are computed from the device key, the clock moved with
time-machine."""

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tingsu.audit.models import AuditEntry
from tingsu.core.testing import PASSWORD

pytestmark = pytest.mark.django_db

VERIFY = "/desk/account/two-factor/verify/"
SETUP = "/desk/account/two-factor/setup/"
T0 = "2026-11-23 08:00:00+00:00"


@pytest.fixture(autouse=True)
def _enforced(settings):
    settings.TINGSU_TWO_FACTOR_REQUIRED = True
    settings.LANGUAGE_CODE = "en"


def code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def password_login(client, username: str, next_url: str = ""):
    data = {"username": username, "password": PASSWORD, "next": next_url}
    return client.post(reverse("desk:login"), data)


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.mark.parametrize("who", ["root", "quinn"])
def test_it_sends_admin_and_compliance_to_enrol_before_any_staff_page(world, client, who):
    password_login(client, who)
    for url in ["/desk/", "/admin/", "/desk/audit/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(VERIFY), url
    # Without a device yet, the verify step leads to enrolment.
    response = client.get(VERIFY)
    assert response.status_code == 302 and response["Location"].startswith(SETUP)


def test_it_enrols_with_a_qr_code_then_lets_the_admin_in(world, client):
    with time_machine.travel(T0, tick=False) as clock:
        password_login(client, "root")
        page = client.get(SETUP + "?next=/admin/")
        assert page.status_code == 200
        assert b"data:image/svg+xml;base64," in page.content
        device = TOTPDevice.objects.get(user=world.root, confirmed=False)

        wrong = client.post(SETUP, {"token": "000000", "next": "/admin/"})
        assert wrong.status_code == 200 and b"not right" in wrong.content
        assert client.get("/admin/").status_code == 302

        clock.shift(2)  # django-otp throttles a device for a second after a failure
        response = client.post(SETUP, {"token": code(device), "next": "/admin/"})
        assert response.status_code == 302 and response["Location"] == "/admin/"
        assert TOTPDevice.objects.get(pk=device.pk).confirmed
        assert client.get("/admin/").status_code == 200
        assert client.get("/desk/").status_code == 200
    entry = AuditEntry.objects.get(action="two_factor.enable")
    assert entry.actor == world.root


def test_it_asks_for_a_code_at_every_login_and_refuses_a_wrong_or_reused_one(world, client):
    device = confirmed_device(world.quinn)
    with time_machine.travel(T0, tick=False) as clock:
        password_login(client, "quinn")
        assert client.post(VERIFY, {"token": "123456"}).status_code == 200
        assert client.get("/desk/audit/").status_code == 302
        clock.shift(2)
        good = code(device)
        response = client.post(VERIFY, {"token": good, "next": "/desk/audit/"})
        assert response.status_code == 302 and response["Location"] == "/desk/audit/"
        assert client.get("/desk/audit/").status_code == 200
        client.post(reverse("desk:logout"))
        # The same code again, in the same time step: refused.
        password_login(client, "quinn")
        assert client.post(VERIFY, {"token": good}).status_code == 200
        assert client.get("/desk/audit/").status_code == 302
        clock.shift(300)
        response = client.post(VERIFY, {"token": code(device), "next": "/desk/audit/"})
        assert response.status_code == 302
        assert client.get("/desk/audit/").status_code == 200


def test_it_accepts_a_code_from_the_previous_time_step_but_not_an_old_one(world, client):
    device = confirmed_device(world.root)
    with time_machine.travel(T0, tick=False) as clock:
        old = code(device)
        clock.shift(600)
        password_login(client, "root")
        assert client.post(VERIFY, {"token": old}).status_code == 200
        assert client.get("/desk/").status_code == 302


def test_it_cannot_enrol_a_new_device_to_skip_an_existing_one(world, client):
    confirmed_device(world.root)
    password_login(client, "root")
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=world.root).count() == 1


def test_it_ignores_an_unsafe_next_url(world, client):
    device = confirmed_device(world.root)
    with time_machine.travel(T0, tick=False):
        password_login(client, "root")
        response = client.post(VERIFY, {"token": code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("desk:queue")


def test_an_agent_works_without_two_factor_and_may_turn_it_on_and_off(world, client):
    with time_machine.travel(T0, tick=False) as clock:
        password_login(client, "alice")
        assert client.get("/desk/").status_code == 200
        assert b"Off." in client.get(reverse("accounts:security")).content
        client.get(SETUP)
        device = TOTPDevice.objects.get(user=world.alice)
        client.post(SETUP, {"token": code(device)})
        assert TOTPDevice.objects.get(user=world.alice).confirmed
        client.post(reverse("desk:logout"))
        # Enrolled: the next login asks for a code too.
        password_login(client, "alice")
        assert client.get("/desk/").status_code == 302
        clock.shift(300)
        client.post(VERIFY, {"token": code(device)})
        assert client.get("/desk/").status_code == 200
        client.post(reverse("accounts:two_factor_off"))
    assert not TOTPDevice.objects.filter(user=world.alice).exists()
    assert AuditEntry.objects.filter(action="two_factor.disable", actor=world.alice).exists()


def test_an_admin_cannot_turn_two_factor_off(world, client):
    device = confirmed_device(world.root)
    with time_machine.travel(T0, tick=False):
        password_login(client, "root")
        client.post(VERIFY, {"token": code(device)})
        client.post(reverse("accounts:two_factor_off"))
    assert TOTPDevice.objects.filter(user=world.root).exists()


def test_turning_two_factor_off_needs_the_second_factor_first(world, client):
    confirmed_device(world.alice)
    password_login(client, "alice")
    response = client.post(reverse("accounts:two_factor_off"))
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=world.alice).exists()
