"""Creating API keys in the Django admin."""

import re

import pytest

from tingsu.accounts.models import ApiKey, hash_api_key
from tingsu.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def add_key(client, scopes):
    return client.post(
        "/admin/accounts/apikey/add/",
        {
            "name": "微信小程序",
            "scopes": scopes,
            "user": "",
            "rate_limit_per_minute": "60",
            "is_active": "on",
        },
        follow=True,
    )


def test_an_admin_creates_a_key_and_sees_its_secret_once(client, world):
    client.force_login(world.root)
    response = add_key(client, '["intake"]')
    assert response.status_code == 200
    key = ApiKey.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    raw = next(re.search(r"tsk_[\w-]+", m).group(0) for m in shown if "tsk_" in m)
    assert hash_api_key(raw) == key.key_hash
    assert key.scopes == ["intake"] and key.rate_limit_per_minute == 60
    assert AuditEntry.objects.get(action="api_key.create").actor == world.root


@pytest.mark.parametrize("scopes", ['["intake", "superpowers"]', '"intake"', "{}"])
def test_it_refuses_unknown_scopes_on_the_form(client, world, scopes):
    client.force_login(world.root)
    response = add_key(client, scopes)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["scopes"]
    assert ApiKey.objects.count() == 0
    assert not AuditEntry.objects.filter(action="api_key.create").exists()
