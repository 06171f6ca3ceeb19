"""Configuration read on every intake, cached in each process.

Routing rules, escalation word lists, SLA policies and calendars, webhook endpoints and the
active triage models change rarely but were read several times per complaint. Each process
keeps what it loaded together with the configuration version it saw. The version is one
row (ConfigVersion) that is given a new random value, in the changing transaction, by
post_save/post_delete of the registered models (see `watch`). Before using its cache a
process reads the row (one single-row query; inside `config_scope()` only the first use
reads it), so an admin's change applies to the next complaint in every worker.

Bulk writes (queryset.update, bulk_create, raw SQL) send no signals: whoever makes them
calls `config_changed()` in the same transaction.

Cached objects are shared between requests and threads: treat them as read-only.
"""

import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
ROW = 1

_state: tuple[int | None, dict[Any, Any]] = (None, {})
_lock = threading.Lock()
# Inside config_scope(): [version or None], the version read once for the whole scope.
_scope: ContextVar[list | None] = ContextVar("tingsu_config_scope", default=None)


def _read_version() -> int:
    from tingsu.core.models import ConfigVersion

    value = ConfigVersion.objects.filter(pk=ROW).values_list("version", flat=True).first()
    return value or 0


def config_version() -> int:
    scope = _scope.get()
    if scope is not None and scope[0] is not None:
        return scope[0]
    version = _read_version()
    if scope is not None:
        scope[0] = version
    return version


@contextmanager
def config_scope() -> Iterator[None]:
    """Read the configuration version at most once inside (one unit of work, e.g. an
    intake). Nested scopes share the outer one's version."""
    if _scope.get() is not None:
        yield
        return
    token = _scope.set([None])
    try:
        yield
    finally:
        _scope.reset(token)


def cached(key: Any, loader: Callable[[], T]) -> T:
    """`loader()`'s value, loaded again only when the configuration version changed."""
    global _state
    version = config_version()
    seen, values = _state
    if seen != version:
        with _lock:
            if _state[0] != version:
                _state = (version, {})
            values = _state[1]
    try:
        return values[key]
    except KeyError:
        value = loader()
        values[key] = value
        return value


def config_changed(**_kwargs: Any) -> None:
    """Give the configuration a new version (in the caller's transaction, if any) and drop
    this process's cache at once."""
    global _state
    from tingsu.core.models import ConfigVersion

    version = secrets.randbits(62) or 1
    if not ConfigVersion.objects.filter(pk=ROW).update(version=version):
        ConfigVersion.objects.bulk_create([ConfigVersion(pk=ROW, version=0)], ignore_conflicts=True)
        ConfigVersion.objects.filter(pk=ROW).update(version=version)
    _state = (None, {})
    scope = _scope.get()
    if scope is not None:
        scope[0] = None


def watch(*models: type) -> None:
    """Changing a row of these models (save or delete) changes the configuration version."""
    for model in models:
        uid = f"tingsu-config-{model._meta.label_lower}"
        post_save.connect(config_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(config_changed, sender=model, dispatch_uid=uid + "-delete")
