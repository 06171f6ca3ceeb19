"""With INTAKE_DEFERRED, a complaint arriving by email or SMS is accepted as the API's:
the case is written (and the provider's webhook answered) at once; the worker processes it.
A follow-up threads onto the case while it is still pending."""

import pytest
from django_tasks_db.models import DBTaskResult

from tingsu.cases.models import Case, CaseEvent, EventKind
from tingsu.cases.services import case_process_intake
from tingsu.cases.tasks import case_intake_drain_task
from tingsu.channels.inbound import inbound_receive
from tingsu.channels.models import OutboxMessage
from tingsu.sla.models import SlaTimer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _seeded(reseeded):
    """A transactional test before this one emptied what the data migrations wrote."""


def test_an_inbound_email_is_accepted_then_processed_by_the_worker(world, inbound, deferred):
    result = inbound_receive(message=inbound(subject="杯子碎了", external_id="<d1@example.com>"))

    case = Case.objects.get(number=result.case_number)
    assert result.outcome == "created"
    assert case.intake_pending_since is not None
    assert not SlaTimer.objects.filter(case=case).exists()
    assert not OutboxMessage.objects.filter(case=case).exists()
    assert DBTaskResult.objects.filter(task_path=case_intake_drain_task.module_path).count() == 1

    assert case_process_intake(case_id=case.pk) is True

    assert SlaTimer.objects.filter(case=case).count() == 2
    assert OutboxMessage.objects.filter(case=case, recipient="wang@example.com").exists()


def test_a_follow_up_threads_onto_a_case_still_pending(world, inbound, deferred):
    first = inbound_receive(message=inbound(subject="杯子碎了", external_id="<d2@example.com>"))
    case = Case.objects.get(number=first.case_number)

    second = inbound_receive(
        message=inbound(body="补充：订单号 JD-1001", case_numbers=[case.number])
    )

    assert second.outcome == "appended" and second.case_number == case.number
    assert CaseEvent.objects.filter(case=case, kind=EventKind.MESSAGE).count() == 1
    assert case_process_intake(case_id=case.pk) is True
    assert Case.objects.count() == 1
