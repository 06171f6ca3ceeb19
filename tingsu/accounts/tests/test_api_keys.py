"""API keys: created once with their secret shown once, stored only as a hash."""

import pytest

from tingsu.accounts.models import ApiKey, ApiKeyScope, hash_api_key
from tingsu.accounts.selectors import api_key_authenticate
from tingsu.accounts.services import api_key_create
from tingsu.audit.models import AuditEntry
from tingsu.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_it_creates_a_key_storing_only_its_hash_and_audits_it(world):
    key, raw = api_key_create(
        actor=world.root, name="小程序", scopes=[ApiKeyScope.INTAKE], user=world.alice
    )
    assert raw.startswith("tsk_") and len(raw) > 40
    stored = ApiKey.objects.get(pk=key.pk)
    assert stored.key_hash == hash_api_key(raw) and raw not in (stored.key_hash, stored.prefix)
    assert stored.prefix == raw[:12]
    assert stored.scopes == ["intake"] and stored.user == world.alice
    audit = AuditEntry.objects.get(action="api_key.create")
    assert audit.actor == world.root and audit.object_id == str(key.pk)
    assert audit.object_type == "accounts.apikey"
    assert audit.changes == {"scopes": ["intake"]}
    assert raw not in str(audit.changes)


def test_it_refuses_an_unknown_scope_and_creates_nothing(world):
    with pytest.raises(ValidationFailed) as exc:
        api_key_create(actor=world.root, name="bad", scopes=["intake", "admin"])
    assert "scopes" in exc.value.detail
    assert ApiKey.objects.count() == 0 and AuditEntry.objects.count() == 0


def test_it_authenticates_the_raw_key_and_records_its_use(world):
    key, raw = api_key_create(actor=world.root, name="app", scopes=["read"], user=world.alice)
    found = api_key_authenticate(raw=raw)
    assert found == key and found.user == world.alice
    assert ApiKey.objects.get(pk=key.pk).last_used_at is not None


@pytest.mark.parametrize("mangle", ["", "wrong", "prefix", "tail", "no-tsk"])
def test_it_refuses_a_wrong_key(world, mangle):
    key, raw = api_key_create(actor=world.root, name="app", scopes=["read"])
    bad = {
        "": "",
        "wrong": "tsk_" + "x" * 43,
        "prefix": raw[:12],
        "tail": raw[:-1] + ("A" if raw[-1] != "A" else "B"),
        "no-tsk": raw[4:],
    }[mangle]
    assert api_key_authenticate(raw=bad) is None
    assert ApiKey.objects.get(pk=key.pk).last_used_at is None


def test_it_refuses_an_inactive_key(world):
    key, raw = api_key_create(actor=world.root, name="app", scopes=["read"])
    ApiKey.objects.filter(pk=key.pk).update(is_active=False)
    assert api_key_authenticate(raw=raw) is None


def test_it_refuses_a_key_that_acts_as_a_deactivated_user(world):
    _, raw = api_key_create(actor=world.root, name="app", scopes=["read"], user=world.alice)
    world.alice.is_active = False
    world.alice.save()
    assert api_key_authenticate(raw=raw) is None


def test_an_intake_key_without_a_user_still_works(world):
    key, raw = api_key_create(actor=world.root, name="form", scopes=["intake"])
    assert api_key_authenticate(raw=raw) == key
