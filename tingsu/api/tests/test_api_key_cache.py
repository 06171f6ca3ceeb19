"""API keys are cached per process (accounts.selectors.api_key_authenticate): a key that
is revoked, or whose user is deactivated, must stop working at the very next request, in
this process and in every other one."""

import pytest

from tingsu.accounts.models import ApiKey, ApiKeyScope
from tingsu.api.tests.conftest import assert_error
from tingsu.core.models import ConfigVersion

pytestmark = pytest.mark.django_db


def test_a_key_revoked_in_the_admin_stops_working_at_the_next_request(api_as, world):
    api = api_as(world.alice)
    assert api.get("/complaints").status_code == 200  # now cached in this process
    key = ApiKey.objects.get()
    key.is_active = False
    key.save()
    assert_error(api.get("/complaints"), 401, "not_authenticated")


def test_a_key_revoked_by_another_process_stops_working_here_too(api_as, world):
    api = api_as(world.alice)
    assert api.get("/complaints").status_code == 200
    # What another process's save does to the database: the row and a new config version
    # (its signal bumps the version; this process's cache has not heard of it).
    ApiKey.objects.update(is_active=False)
    ConfigVersion.objects.update(version=12345)
    assert_error(api.get("/complaints"), 401, "not_authenticated")


def test_a_deactivated_user_s_key_stops_working_at_the_next_request(api_as, world):
    api = api_as(world.alice, scopes=[ApiKeyScope.READ])
    assert api.get("/complaints").status_code == 200
    world.alice.is_active = False
    world.alice.save()
    assert_error(api.get("/complaints"), 401, "not_authenticated")


def test_a_changed_scope_applies_at_the_next_request(api_as, world):
    api = api_as(world.alice)
    assert api.get("/complaints").status_code == 200
    key = ApiKey.objects.get()
    key.scopes = [ApiKeyScope.INTAKE]
    key.save()
    assert_error(api.get("/complaints"), 403, "permission_denied")


def test_a_login_does_not_throw_away_the_configuration_cache(api_as, world, client):
    api_as(world.alice)
    before = ConfigVersion.objects.get().version
    world.alice.set_password("a-long-password-1")
    world.alice.save()  # keys act as alice: her change counts
    changed = ConfigVersion.objects.get().version
    assert changed != before
    client.force_login(world.alice)  # stamps last_login only
    assert ConfigVersion.objects.get().version == changed
