"""Claiming due rows for the scheduler, one at a time, so several schedulers share the work
and none acts on a row twice.

`select_for_update(skip_locked=True)` spreads the rows over schedulers on PostgreSQL;
SQLite ignores the lock and relies on the conditional UPDATE alone: of two claimers that
read the same row, only the one whose UPDATE still finds the value it read wins.
"""

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet


@dataclass(frozen=True)
class Claim:
    pk: int
    won: bool  # False: another claimer moved the row first (still work: look again)


def claim_oldest_due(due: QuerySet, *, field: str, set_to: Any) -> Claim | None:
    """Inside the caller's transaction: take the row of `due` whose `field` is oldest and
    move `field` to `set_to` (a lease, or None) if it still holds the value read. None when
    no row is due."""
    if not connection.in_atomic_block:
        raise RuntimeError("claim_oldest_due must run inside transaction.atomic().")
    row = due.select_for_update(skip_locked=True).order_by(field).values_list("pk", field).first()
    if row is None:
        return None
    pk, seen = row
    won = due.filter(pk=pk, **{field: seen}).update(**{field: set_to}) == 1
    return Claim(pk=pk, won=won)
