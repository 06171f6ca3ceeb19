from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tingsu.channels.contracts import PermanentError, TransientError
from tingsu.channels.models import OutboxMessage, OutboxStatus
from tingsu.channels.outbox import (
    backoff,
    outbox_claim_due,
    outbox_deliver,
    outbox_enqueue,
    outbox_retry,
)
from tingsu.channels.tasks import deliver_outbox_batch_task
from tingsu.channels.transports import get_transport, register_transport, unregister_transport


class FakePeer:
    """A transport whose outcome the test decides, one entry per attempt."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.calls = []

    def __call__(self, message):
        self.calls.append(message.idempotency_key)
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        if isinstance(outcome, Exception):
            raise outcome
        return f"provider-{len(self.calls)}"


@pytest.fixture
def peer():
    saved = get_transport("test")
    fake = FakePeer()
    register_transport("test", fake)
    yield fake
    unregister_transport("test")
    if saved:
        register_transport("test", saved)


def enqueue(key="k1", transport="test", **kw):
    with transaction.atomic():
        return outbox_enqueue(
            transport=transport,
            recipient=kw.pop("recipient", "someone"),
            subject="s",
            body="b",
            idempotency_key=key,
            **kw,
        )


def _deliver_tasks():
    return DBTaskResult.objects.filter(task_path=deliver_outbox_batch_task.module_path)


def _enqueued_ids():
    return sorted(i for t in _deliver_tasks() for i in t.args_kwargs["kwargs"]["message_ids"])


def test_it_refuses_to_enqueue_outside_a_transaction(transactional_db):
    with pytest.raises(RuntimeError):
        outbox_enqueue(transport="test", recipient="x", idempotency_key="k")


def test_it_schedules_delivery_only_when_the_transaction_commits(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = enqueue()

    assert len(callbacks) == 1
    [task] = _deliver_tasks()
    assert task.args_kwargs["kwargs"] == {"message_ids": [message.pk]}


def test_a_rolled_back_transaction_sends_nothing(db, django_capture_on_commit_callbacks, peer):
    class Boom(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        outbox_enqueue(transport="test", recipient="x", idempotency_key="gone")
        raise Boom

    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert not _deliver_tasks().exists()
    assert peer.calls == []


def test_a_repeated_idempotency_key_is_ignored(db):
    first = enqueue("same")
    second = enqueue("same")

    assert first is not None and second is None
    assert OutboxMessage.objects.count() == 1


def test_it_delivers_and_marks_the_message_sent(db, peer):
    message = enqueue()

    assert outbox_deliver(message.pk) is True

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 1
    assert message.provider_id == "provider-1"
    assert message.sent_at is not None and message.lease_until is None
    assert peer.calls == ["k1"]
    # A second task for the same message finds it sent and does nothing.
    assert outbox_deliver(message.pk) is False
    assert peer.calls == ["k1"]


def test_a_transient_error_retries_with_backoff(db, peer):
    peer.outcomes = [TransientError("421 try later"), TransientError("timeout")]
    message = enqueue()
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        assert outbox_deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at == start + timedelta(seconds=30)
    assert "421 try later" in message.last_error

    with time_machine.travel(start + timedelta(seconds=10), tick=False):
        assert outbox_deliver(message.pk) is False  # not due yet
    assert peer.calls == ["k1"]

    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        assert outbox_deliver(message.pk) is False
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at == start + timedelta(seconds=31 + 60)

    with time_machine.travel(start + timedelta(seconds=92), tick=False):
        assert outbox_deliver(message.pk) is True
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 3


def test_backoff_doubles_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(30).total_seconds() == 3600


def test_it_dead_letters_after_the_maximum_attempts(db, peer, settings):
    settings.TINGSU = {**settings.TINGSU, "OUTBOX_MAX_ATTEMPTS": 3}
    peer.outcomes = [TransientError(f"fail {n}") for n in range(5)]
    message = enqueue()
    now = timezone.now()

    for n in range(3):
        with time_machine.travel(now + timedelta(hours=n * 2), tick=False):
            outbox_deliver(message.pk)

    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert message.attempts == 3
    assert "fail 2" in message.last_error and "after 3 attempts" in message.last_error
    assert len(peer.calls) == 3


def test_a_permanent_error_dead_letters_at_once(db, peer):
    peer.outcomes = [PermanentError("550 no such user")]
    message = enqueue()

    outbox_deliver(message.pk)

    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert message.attempts == 1
    assert "550 no such user" in message.last_error


def test_a_message_for_an_unknown_transport_is_dead_lettered(db):
    message = enqueue(transport="carrier-pigeon")

    outbox_deliver(message.pk)

    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert "carrier-pigeon" in message.last_error


def test_a_crashing_transport_is_retried_like_a_transient_error(db, peer):
    peer.outcomes = [ValueError("bug")]
    message = enqueue()

    outbox_deliver(message.pk)

    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert "ValueError" in message.last_error


def test_a_message_held_by_a_live_worker_is_not_claimed_twice(db, peer):
    message = enqueue()
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENDING, lease_until=now + timedelta(seconds=30)
    )

    assert outbox_deliver(message.pk) is False
    assert peer.calls == []

    with time_machine.travel(now + timedelta(seconds=31)):
        assert outbox_deliver(message.pk) is True
    assert peer.calls == ["k1"]


def test_the_scheduler_enqueues_due_retries_and_expired_leases_once(
    db, peer, django_capture_on_commit_callbacks
):
    peer.outcomes = [TransientError("later")]
    retry = enqueue("retry")
    stuck = enqueue("stuck")
    fresh = enqueue("fresh")
    now = timezone.now()
    outbox_deliver(retry.pk)  # fails, due again in 30 s
    OutboxMessage.objects.filter(pk=stuck.pk).update(
        status=OutboxStatus.SENDING, lease_until=now + timedelta(seconds=60), enqueued_at=None
    )

    with time_machine.travel(now + timedelta(seconds=61), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            while outbox_claim_due():
                pass
        # The fresh message's own task was enqueued on commit; it is not enqueued again.
        assert _enqueued_ids() == sorted([retry.pk, stuck.pk])
        assert _deliver_tasks().count() == 1  # one batch for both
        with django_capture_on_commit_callbacks(execute=True):
            assert outbox_claim_due() is False

    # A task that was enqueued but never ran (lost) is enqueued again after a grace.
    with (
        time_machine.travel(now + timedelta(seconds=62 + 120), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        while outbox_claim_due():
            pass
    assert fresh.pk in _enqueued_ids()


def test_retry_puts_a_dead_letter_back_in_the_queue(db, peer, django_capture_on_commit_callbacks):
    peer.outcomes = [PermanentError("bad")]
    message = enqueue()
    outbox_deliver(message.pk)

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_retry(message=OutboxMessage.objects.get(pk=message.pk)) is True

    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.attempts == 0
    assert outbox_deliver(message.pk) is True


def test_message_ids_are_valid_and_distinct_for_every_key():
    from tingsu.channels.outbox import message_id_local_part

    assert message_id_local_part("plain-key_1") == "plain-key_1"
    a, b = message_id_local_part("a:b"), message_id_local_part("a.b")
    assert a != b and a.startswith("a.b.")
    assert message_id_local_part(":::") and "<" not in message_id_local_part("<x> y")
