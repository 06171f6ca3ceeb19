"""Send chosen reads to a PostgreSQL read replica.

Routing is opt-in per block of code: inside `with using_replica():` reads go to the
`replica` alias (when the production settings define it from TINGSU_REPLICA_DATABASE_URL),
everywhere else they stay on the primary. Request handlers that just wrote a row must read
it back, and a replica may lag behind, so only read-only work that tolerates a few seconds
of lag opts in: dashboards, reports and exports. Writes always go to the primary, also for
objects that were read from the replica.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_ALIAS = "replica"

_use_replica: ContextVar[bool] = ContextVar("use_replica", default=False)


@contextmanager
def using_replica() -> Iterator[None]:
    """Read from the replica inside this block, if one is configured."""
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


def replica_configured() -> bool:
    return REPLICA_ALIAS in connections.settings


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _use_replica.get() and replica_configured():
            return REPLICA_ALIAS
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data; an object read from the replica may be related
        # to one read from the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary by replication, never by migrate.
        return db != REPLICA_ALIAS
