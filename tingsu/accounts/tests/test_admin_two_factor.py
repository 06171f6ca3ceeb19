"""The admin lists authenticators and can reset one, but never adds one for another user
or shows a device's key (either would let an admin pass that user's second factor)."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

DEVICES = "/admin/otp_totp/totpdevice/"


@pytest.fixture
def device(world):
    return TOTPDevice.objects.create(user=world.quinn, name="quinn's phone", confirmed=True)


def test_an_admin_cannot_add_an_authenticator_for_someone_else(client, world):
    client.force_login(world.root)
    assert client.get(DEVICES + "add/").status_code == 403
    response = client.post(
        DEVICES + "add/",
        {"user": world.quinn.pk, "name": "mine now", "key": "00" * 20, "confirmed": "on"},
    )
    assert response.status_code == 403
    assert not TOTPDevice.objects.filter(user=world.quinn).exists()


def test_the_device_page_never_shows_the_key_or_accepts_changes(client, world, device):
    client.force_login(world.root)
    listing = client.get(DEVICES)
    assert listing.status_code == 200 and "quinn&#x27;s phone" in listing.content.decode()
    page = client.get(f"{DEVICES}{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    client.post(f"{DEVICES}{device.pk}/change/", {"name": "renamed", "confirmed": ""})
    device.refresh_from_db()
    assert device.name == "quinn's phone" and device.confirmed


def test_an_admin_resets_a_lost_authenticator_by_deleting_it(client, world, device):
    client.force_login(world.root)
    response = client.post(f"{DEVICES}{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
