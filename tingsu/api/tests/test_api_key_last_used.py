"""A key's last use is written at most once a minute (not an UPDATE on every request)."""

import pytest
import time_machine

from tingsu.accounts.models import ApiKey

pytestmark = pytest.mark.django_db


def test_last_used_is_written_at_most_once_a_minute(api_as, world):
    api = api_as(world.alice)
    with time_machine.travel("2026-11-23 10:00:00 +0800", tick=False):
        assert api.get("/complaints").status_code == 200
    first = ApiKey.objects.get().last_used_at
    with time_machine.travel("2026-11-23 10:00:50 +0800", tick=False):
        assert api.get("/complaints").status_code == 200
    assert ApiKey.objects.get().last_used_at == first
    with time_machine.travel("2026-11-23 10:01:05 +0800", tick=False):
        assert api.get("/complaints").status_code == 200
    assert ApiKey.objects.get().last_used_at > first
