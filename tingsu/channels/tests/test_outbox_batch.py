"""Batched delivery: the messages one transaction writes go to one task, which claims them
in one UPDATE, sends each through its transport and marks each on its own."""

from contextlib import suppress
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tingsu.channels.contracts import PermanentError, TransientError
from tingsu.channels.models import OutboxMessage, OutboxStatus
from tingsu.channels.outbox import (
    outbox_deliver,
    outbox_deliver_many,
    outbox_deliveries_gathered,
    outbox_enqueue,
)
from tingsu.channels.tasks import deliver_outbox_batch_task
from tingsu.channels.transports import register_transport, unregister_transport


class Peer:
    """A transport whose outcome per idempotency key the test decides."""

    def __init__(self):
        self.outcomes = {}
        self.calls = []
        self.before_send = None

    def __call__(self, message):
        if self.before_send:
            self.before_send(message)
        self.calls.append(message.idempotency_key)
        outcome = self.outcomes.get(message.idempotency_key)
        if isinstance(outcome, Exception):
            raise outcome
        return f"provider-{message.idempotency_key}"


@pytest.fixture
def peer():
    fake = Peer()
    register_transport("batch-test", fake)
    yield fake
    unregister_transport("batch-test")


class Boom(Exception):
    pass


def write(key):
    return outbox_enqueue(
        transport="batch-test", recipient="someone", body="b", idempotency_key=key
    )


def batch_tasks():
    return [
        t.args_kwargs["kwargs"]["message_ids"]
        for t in DBTaskResult.objects.filter(
            task_path=deliver_outbox_batch_task.module_path
        ).order_by("enqueued_at", "id")
    ]


def run_batch_tasks():
    for ids in batch_tasks():
        outbox_deliver_many(message_ids=ids)


def test_a_transaction_writing_many_messages_enqueues_one_task(
    db, django_capture_on_commit_callbacks, peer
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        ids = [write(f"n{n}").pk for n in range(5)]
        with transaction.atomic():  # a service's own block, as notify and webhooks have
            ids.append(write("nested").pk)

    assert batch_tasks() == [ids]
    run_batch_tasks()
    assert peer.calls == ["n0", "n1", "n2", "n3", "n4", "nested"]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_a_bulk_notice_is_spread_over_tasks_of_one_batch_each(
    db, django_capture_on_commit_callbacks, settings
):
    settings.TINGSU = {**settings.TINGSU, "OUTBOX_BATCH_SIZE": 2}
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        ids = [write(f"n{n}").pk for n in range(5)]

    assert batch_tasks() == [ids[0:2], ids[2:4], ids[4:]]


def test_a_message_written_in_a_rolled_back_savepoint_is_not_delivered(
    db, django_capture_on_commit_callbacks, peer
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        # The first message of the transaction, whose commit hook goes with the savepoint.
        with suppress(Boom), transaction.atomic():
            write("rolled-back")
            raise Boom
        kept = write("kept")

    assert len(batch_tasks()) == 1 and kept.pk in batch_tasks()[0]
    run_batch_tasks()
    assert peer.calls == ["kept"]
    assert list(OutboxMessage.objects.values_list("idempotency_key", "status")) == [
        ("kept", OutboxStatus.SENT)
    ]


def test_a_savepoint_rolled_back_after_the_first_message_keeps_the_batch(
    db, django_capture_on_commit_callbacks, peer
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first = write("first")
        with suppress(Boom), transaction.atomic():
            write("rolled-back")
            raise Boom
        last = write("last")

    [ids] = batch_tasks()
    assert {first.pk, last.pk} <= set(ids)
    run_batch_tasks()
    assert peer.calls == ["first", "last"]


def test_a_rolled_back_transaction_leaves_nothing_for_the_next_one(
    db, django_capture_on_commit_callbacks, peer
):
    with django_capture_on_commit_callbacks(execute=True):
        with suppress(Boom), transaction.atomic():
            write("gone")
            raise Boom
        with transaction.atomic():
            after = write("after")

    assert batch_tasks() == [[after.pk]]
    run_batch_tasks()
    assert peer.calls == ["after"]


def test_each_message_of_a_batch_is_marked_by_its_own_outcome(db, peer):
    peer.outcomes = {
        "bad": PermanentError("550 no such user"),
        "later": TransientError("421 try later"),
    }
    with transaction.atomic():
        bad, later, good = write("bad"), write("later"), write("good")
    now = timezone.now()

    with time_machine.travel(now, tick=False):
        assert outbox_deliver_many(message_ids=[bad.pk, later.pk, good.pk]) == 1

    bad.refresh_from_db(), later.refresh_from_db(), good.refresh_from_db()
    assert (bad.status, bad.attempts) == (OutboxStatus.DEAD, 1)
    assert "550 no such user" in bad.last_error
    assert (later.status, later.attempts) == (OutboxStatus.PENDING, 1)
    assert later.next_attempt_at == now + timedelta(seconds=30)
    assert "421 try later" in later.last_error
    assert (good.status, good.provider_id) == (OutboxStatus.SENT, "provider-good")
    assert good.lease_until is None and good.sent_at is not None


def test_a_batch_skips_messages_sent_held_or_gone(db, peer):
    with transaction.atomic():
        sent, held, due = write("sent"), write("held"), write("due")
    outbox_deliver(sent.pk)
    OutboxMessage.objects.filter(pk=held.pk).update(
        status=OutboxStatus.SENDING, lease_until=timezone.now() + timedelta(seconds=30)
    )
    peer.calls.clear()

    assert outbox_deliver_many(message_ids=[sent.pk, held.pk, due.pk, 999_999]) == 1

    assert peer.calls == ["due"]
    held.refresh_from_db()
    assert held.attempts == 0  # untouched: its live worker keeps it


def test_a_batch_costs_one_claim_one_read_and_a_mark_per_message(
    db, peer, django_assert_num_queries
):
    with transaction.atomic():
        ids = [write(f"n{n}").pk for n in range(4)]

    with django_assert_num_queries(2 + len(ids)):
        assert outbox_deliver_many(message_ids=ids) == 4


def test_a_slow_batch_renews_the_lease_of_the_messages_it_has_not_reached(db, peer):
    with transaction.atomic():
        slow, next_one = write("slow"), write("next")
    start = timezone.now()

    leases = {}

    def slow_first(message):
        leases[message.idempotency_key] = OutboxMessage.objects.get(pk=message.pk).lease_until
        if message.pk == slow.pk:
            clock.shift(40)  # two thirds of the 60 s lease

    with time_machine.travel(start, tick=False) as clock:
        peer.before_send = slow_first
        assert outbox_deliver_many(message_ids=[slow.pk, next_one.pk]) == 2

    assert leases["slow"] == start + timedelta(seconds=60)
    assert leases["next"] == start + timedelta(seconds=40 + 60)
    next_one.refresh_from_db()
    assert (next_one.status, next_one.attempts) == (OutboxStatus.SENT, 1)


def test_a_message_taken_over_after_its_lease_ran_out_is_not_sent_again(db, peer):
    with transaction.atomic():
        slow, next_one = write("slow"), write("next")
    start = timezone.now()

    def stall_then_another_worker_takes_the_next(message):
        if message.pk == slow.pk:
            clock.shift(61)
            peer.before_send = None
            assert outbox_deliver(next_one.pk) is True

    with time_machine.travel(start, tick=False) as clock:
        peer.before_send = stall_then_another_worker_takes_the_next
        assert outbox_deliver_many(message_ids=[slow.pk, next_one.pk]) == 1

    assert peer.calls == ["next", "slow"]
    next_one.refresh_from_db()
    assert (next_one.status, next_one.attempts) == (OutboxStatus.SENT, 2)


def test_a_batch_of_webhooks_reads_the_endpoints_once(db, django_assert_max_num_queries):
    from tingsu.webhooks.models import WebhookEndpoint

    # On 127.0.0.1, which the SSRF guard refuses: each delivery ends without a request.
    endpoint = WebhookEndpoint.objects.create(
        name="crm", url="http://127.0.0.1:9/hook", events=["case.created"]
    )
    with transaction.atomic():
        ids = [
            outbox_enqueue(
                transport="webhook",
                recipient=str(endpoint.pk),
                payload={"event": "case.created"},
                idempotency_key=f"wh-{n}",
            ).pk
            for n in range(3)
        ]

    # The claim, the read, the configuration version and the endpoints, a mark each.
    with django_assert_max_num_queries(4 + len(ids)):
        outbox_deliver_many(message_ids=ids)

    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.DEAD}


@pytest.mark.django_db(transaction=True)
def test_gathered_transactions_share_one_task_and_a_rolled_back_one_adds_nothing(peer):
    with outbox_deliveries_gathered():
        with transaction.atomic():
            first = write("g1").pk
        with suppress(Boom), transaction.atomic():
            write("lost")
            raise Boom
        with transaction.atomic():
            second = write("g2").pk
        assert batch_tasks() == []  # nothing queued until the block ends

    assert batch_tasks() == [[first, second]]
    run_batch_tasks()
    assert peer.calls == ["g1", "g2"]
