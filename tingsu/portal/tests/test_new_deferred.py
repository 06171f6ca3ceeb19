"""With INTAKE_DEFERRED (the default outside tests) the portal accepts a complaint as the
API does: the customer gets the number and the tracking page at once, and the task worker
classifies, routes, starts the SLA timers and sends the "received" notice moments later."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tingsu.cases.models import Case
from tingsu.cases.services import case_process_intake
from tingsu.cases.tasks import case_intake_drain_task
from tingsu.channels.models import OutboxMessage
from tingsu.portal.tests.helpers import complaint_data, url
from tingsu.sla.models import SlaTimer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _seeded(reseeded):
    """A transactional test before this one emptied what the data migrations wrote."""


def test_the_portal_answers_with_the_number_and_leaves_the_rest_to_the_worker(
    client, world, deferred
):
    data = complaint_data(category=world.subcategory.pk, email="xm@example.com")

    response = client.post(reverse("portal:new"), data)

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("portal:submitted", case)
    assert case.intake_pending_since is not None
    assert not SlaTimer.objects.filter(case=case).exists()
    assert not OutboxMessage.objects.exists()
    assert DBTaskResult.objects.get(task_path=case_intake_drain_task.module_path)
    # The customer can already read the confirmation and the tracking page.
    assert case.number in client.get(response["Location"]).content.decode()
    assert client.get(url("portal:track", case)).status_code == 200

    assert case_process_intake(case_id=case.pk) is True

    case.refresh_from_db()
    assert case.intake_pending_since is None
    assert case.department == world.service
    assert SlaTimer.objects.filter(case=case).count() == 2
    received = OutboxMessage.objects.get(recipient="xm@example.com")
    assert case.number in received.subject + received.body


def test_a_resubmitted_portal_form_queues_no_second_processing(client, world, deferred):
    data = complaint_data()

    client.post(reverse("portal:new"), data)
    client.post(reverse("portal:new"), data)

    assert Case.objects.count() == 1
    assert DBTaskResult.objects.filter(task_path=case_intake_drain_task.module_path).count() == 1
