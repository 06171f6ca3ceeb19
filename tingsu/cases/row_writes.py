"""A new case's row written once for its whole intake processing.

Prediction, risk, routing and assignment each change the case a new complaint became, and
each saved it: three to four UPDATEs of the same row within a few milliseconds. On
PostgreSQL every one of them is a new row version, indexed again in all the case table's
indexes, the trigram indexes of its text among them (a non-HOT update: the columns they
change are indexed). Inside `case_row_held(case)` a save of that instance with
`update_fields` records the values instead, and one UPDATE writes them as the block ends.

The held values follow the savepoints of the work: each is dropped with a savepoint that
is rolled back around it (core.pending_writes), and `case_reloaded(case)`, used where a
step's savepoint failed, reads the row again and puts back the values still held.

Only the instance given is held, and only while its own processing runs: the row in the
database keeps its old values until the block ends, which nothing inside reads (the steps
work on this instance). Triggers still write sla_due_at, which saves never write.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.utils import timezone

from tingsu.core.pending_writes import hold, pending_scope

# The instance whose saves are held, inside case_row_held().
_case: ContextVar[Any] = ContextVar("tingsu_case_row_held", default=None)
# Its held saves (attname -> value each), kept by core.pending_writes with their markers.
_saves: ContextVar[list | None] = ContextVar("tingsu_case_row_saves", default=None)


@contextmanager
def case_row_held(case, *, also: tuple[str, ...] = ()) -> Iterator[None]:
    """Hold the saves of `case` inside the block and write them in one UPDATE as it ends
    (with `also`, attnames written even when nothing else is). If the block raises, nothing
    is written: the caller's savepoint rolls back the rest."""
    if _case.get() is not None:
        yield
        return
    saved: list[dict[str, Any]] = []
    token = _case.set(case)
    try:
        with pending_scope(_saves, saved.extend):
            yield
    finally:
        _case.reset(token)
    values: dict[str, Any] = {}
    for held in saved:
        values.update(held)
    if values:
        values["updated_at"] = case.updated_at = timezone.now()
    values.update({attname: getattr(case, attname) for attname in also})
    if values:
        type(case).objects.filter(pk=case.pk).update(**values)


def held_save(case, update_fields) -> bool:
    """Called by Case.save: True if this save was held (recorded, not written)."""
    if _case.get() is not case or update_fields is None:
        return False
    meta = case._meta
    attnames = {meta.get_field(name).attname for name in update_fields}
    attnames.discard("updated_at")  # set once, when the row is written
    return hold(_saves, {a: getattr(case, a) for a in attnames})


def case_reloaded(case) -> None:
    """Read the case's row again after a savepoint around some of its work was rolled back,
    keeping the values its surviving held saves recorded."""
    case.refresh_from_db()
    if _case.get() is not case:
        return
    alive = {id(entry[1]) for entry in transaction.get_connection().run_on_commit}
    for values, marker in _saves.get():
        if id(marker) in alive:
            for attname, value in values.items():
                setattr(case, attname, value)
