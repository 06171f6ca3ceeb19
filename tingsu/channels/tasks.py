"""Background tasks for channels. Each is idempotent: a task run twice for one message
finds it already claimed or sent and does nothing."""

from django_tasks import task

from tingsu.channels.outbox import outbox_deliver


@task()
def deliver_outbox_task(message_id: int) -> bool:
    return outbox_deliver(message_id)
