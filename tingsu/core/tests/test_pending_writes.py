"""Held-back writes (core.pending_writes): flushed once as the outer scope ends, without
those of a savepoint that was rolled back."""

from contextvars import ContextVar

import pytest
from django.db import transaction

from tingsu.core.pending_writes import hold, pending_scope

_var: ContextVar[list | None] = ContextVar("test_pending", default=None)


@pytest.mark.django_db
def test_items_are_flushed_once_in_order_without_a_rolled_back_savepoints():
    flushed = []
    with transaction.atomic(), pending_scope(_var, flushed.append):
        assert hold(_var, "a")
        with pending_scope(_var, flushed.append):  # joins the outer scope
            assert hold(_var, "b")
        with pytest.raises(RuntimeError), transaction.atomic():
            hold(_var, "lost")
            raise RuntimeError("this part is rolled back")
        hold(_var, "c")
        assert flushed == []  # nothing before the scope ends
    assert flushed == [["a", "b", "c"]]


@pytest.mark.django_db
def test_nothing_is_flushed_when_the_scope_raises():
    flushed = []
    with pytest.raises(RuntimeError), transaction.atomic(), pending_scope(_var, flushed.append):
        hold(_var, "a")
        raise RuntimeError("the work fails")
    assert flushed == []


def test_without_a_scope_nothing_is_held():
    assert hold(_var, "a") is False


def test_a_scope_outside_a_transaction_is_refused():
    with pytest.raises(AssertionError, match="needs a transaction"), pending_scope(_var, print):
        pass
