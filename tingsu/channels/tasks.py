"""Background tasks for channels. Each is idempotent: a task run twice for one message
finds it already claimed or sent and does nothing."""

from django_tasks import task

from tingsu.channels.outbox import outbox_deliver, outbox_deliver_many


@task()
def deliver_outbox_batch_task(message_ids: list[int]) -> int:
    return outbox_deliver_many(message_ids=message_ids)


# One message: `outbox_retry`, and tasks queued by versions before batched delivery.
@task()
def deliver_outbox_task(message_id: int) -> bool:
    return outbox_deliver(message_id)
