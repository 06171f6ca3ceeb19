"""Writes held back until a block of work ends, just before its transaction commits, and
dropped with any savepoint around them that was rolled back.

Django has no "before commit" hook, but it does drop the on-commit callbacks registered
inside a savepoint that is rolled back. A pending write therefore registers a no-op
callback, its marker; when the block ends, the writes whose markers are still registered
are the ones whose savepoints survived. Used by audit.services.audit_batch (the hash chain
is appended once per block), webhooks.services.webhook_batch (one event per case) and
cases.row_writes.case_row_held (a new case's row written once for its processing).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction


class Marker:
    """A no-op on-commit callback whose presence says its savepoint was not rolled back."""

    __slots__ = ()

    def __call__(self) -> None:
        pass


def mark() -> Marker:
    """A marker registered in the current transaction (or savepoint)."""
    marker = Marker()
    transaction.on_commit(marker)
    return marker


def surviving(pending: list[tuple[Any, Marker]]) -> list[Any]:
    """The items whose markers are still registered, in order; all the markers of `pending`
    are taken out of the commit callbacks. Nothing survives a transaction that is already
    marked for rollback."""
    conn = transaction.get_connection()
    if not pending:
        return []
    markers = {id(marker) for _item, marker in pending}
    alive = {id(entry[1]) for entry in conn.run_on_commit}
    conn.run_on_commit = [entry for entry in conn.run_on_commit if id(entry[1]) not in markers]
    if conn.needs_rollback:
        return []
    return [item for item, marker in pending if id(marker) in alive]


@contextmanager
def pending_scope(var: ContextVar, flush: Callable[[list], Any]) -> Iterator[None]:
    """Collect the items held back with `hold(var, ...)` inside the block, and pass those
    that survived to `flush` as it ends. Nested scopes join the outer one; if the block
    raises, nothing is flushed."""
    if var.get() is not None:
        yield
        return
    # Outside a transaction an on-commit marker would run at once, and every item be lost.
    assert transaction.get_connection().in_atomic_block, "a pending scope needs a transaction"
    pending: list = []
    token = var.set(pending)
    try:
        yield
    finally:
        var.reset(token)
    items = surviving(pending)
    if items:
        flush(items)


def hold(var: ContextVar, item: Any) -> bool:
    """Hold `item` back for the scope in progress; False if there is none."""
    pending = var.get()
    if pending is None:
        return False
    pending.append((item, mark()))
    return True
