import pytest
from django.db import transaction

from tingsu.channels.models import OutboxMessage
from tingsu.channels.outbox import outbox_enqueue, outbox_suppressed

pytestmark = pytest.mark.django_db


def enqueue(key):
    return outbox_enqueue(
        transport="email", recipient="a@example.com", subject="s", body="b", idempotency_key=key
    )


def test_it_writes_nothing_while_history_is_loaded():
    with transaction.atomic(), outbox_suppressed():
        assert enqueue("history-1") is None
    assert not OutboxMessage.objects.exists()


def test_it_writes_again_after_the_block():
    with transaction.atomic():
        with outbox_suppressed():
            enqueue("history-2")
        enqueue("live-1")
    assert list(OutboxMessage.objects.values_list("idempotency_key", flat=True)) == ["live-1"]
