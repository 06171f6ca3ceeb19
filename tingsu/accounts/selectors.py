import copy
import hmac
from typing import Any

from django.db.models import Q, QuerySet

from tingsu.accounts.models import ApiKey, Role, User, hash_api_key
from tingsu.core.config import cached, config_changed


class _NoSuchKey(Exception):
    """Raised by the loader so that a miss is not cached (random keys cannot fill memory)."""


def _load_api_key(digest: str, prefix: str) -> ApiKey:
    key = (
        ApiKey.objects.select_related("user")
        .filter(prefix=prefix, is_active=True)
        # A key acting as a deactivated user stops working with that user.
        .filter(Q(user__isnull=True) | Q(user__is_active=True))
        .first()
    )
    if key is None or not hmac.compare_digest(key.key_hash, digest):
        raise _NoSuchKey
    return key


def api_key_authenticate(*, raw: str) -> ApiKey | None:
    """The active key for this raw value, with its user. Valid keys are kept per process in
    the versioned configuration cache (tingsu.core.config): saving or deleting a key, or a
    user who has keys, gives the configuration a new version, so a revoked key or a
    deactivated user stops working at the next request in every process."""
    if not raw or not raw.startswith("tsk_"):
        return None
    digest = hash_api_key(raw)
    try:
        shared = cached(("api-key", digest), lambda: _load_api_key(digest, raw[:12]))
    except _NoSuchKey:
        return None
    # The cached instances are shared between requests and threads: hand out copies.
    key = copy.copy(shared)
    if shared.user is not None:
        key.user = copy.copy(shared.user)
    key.mark_used()
    shared.last_used_at = key.last_used_at
    return key


def _user_saved(sender: Any, instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    # A login only stamps last_login; anything else may change what a key acting as this
    # user may do (active, role, department, data scope).
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    if ApiKey.objects.filter(user_id=instance.pk).exists():
        config_changed()


def watch_api_keys() -> None:
    """Connected in AccountsConfig.ready, in every process (web, worker, commands)."""
    from django.db.models.signals import post_delete, post_save

    from tingsu.core.config import watch

    watch(ApiKey)
    post_save.connect(_user_saved, sender=User, dispatch_uid="tingsu-api-key-user-save")
    post_delete.connect(config_changed, sender=User, dispatch_uid="tingsu-api-key-user-delete")


def department_supervisors(*, department_id: int) -> QuerySet[User]:
    """The active supervisors of a department: who hears about transfers, bounces, breaches."""
    return User.objects.filter(department_id=department_id, role=Role.SUPERVISOR, is_active=True)


def user_has_confirmed_device(*, user: User) -> bool:
    from django_otp import devices_for_user

    return any(True for _ in devices_for_user(user, confirmed=True))
