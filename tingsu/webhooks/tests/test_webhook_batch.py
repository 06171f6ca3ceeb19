"""One webhook event per case and kind in a unit of work, carrying the case as the work left
it (webhooks.services.webhook_batch)."""

import pytest
from django.db import transaction

from tingsu.cases.intake_batch import intake_process_pending
from tingsu.cases.models import Severity, Status
from tingsu.cases.services import (
    Actor,
    case_transition,
    case_update_fields,
    unit_of_work,
)
from tingsu.cases.workflow import Action
from tingsu.channels.models import OutboxMessage
from tingsu.core.testing import make_case, make_customer
from tingsu.triage.models import AgentProfile, DepartmentRouting, RoutingRule
from tingsu.webhooks.models import WebhookEndpoint, WebhookEvent

pytestmark = pytest.mark.django_db

ALL_EVENTS = [e.value for e in WebhookEvent]


@pytest.fixture
def routed(world):
    """New complaints about a courier go to logistics and are assigned to dave."""
    RoutingRule.objects.create(
        order=1, name="物流", keywords="快递", set_department=world.logistics, add_tags="物流"
    )
    AgentProfile.objects.create(user=world.dave)
    DepartmentRouting.objects.create(department=world.logistics, auto_assign=True)
    return world


def _sent(case=None):
    rows = OutboxMessage.objects.filter(transport="webhook").order_by("id")
    if case is not None:
        rows = rows.filter(case=case)
    return [(m.recipient, m.payload["event"], m.payload["case"]) for m in rows]


def test_a_new_case_is_one_created_event_carrying_its_routing_and_assignee(routed):
    endpoint = WebhookEndpoint.objects.create(
        name="CRM", url="https://93.184.215.14/", events=ALL_EVENTS
    )

    case = make_case(description="快递三天没到，杯子也碎了。")

    [(recipient, event, data)] = _sent(case)
    assert recipient == str(endpoint.pk)
    assert event == "case.created"
    # Not the bare case: what routing and assignment made of it.
    assert data["department"] == "logistics"
    assert data["status"] == Status.ASSIGNED
    case.refresh_from_db()
    assert data["updated_at"] == case.updated_at.isoformat()


def test_deferred_cases_processed_in_one_batch_get_one_created_event_each(routed, settings):
    WebhookEndpoint.objects.create(name="CRM", url="https://93.184.215.14/", events=ALL_EVENTS)
    cases = [make_case(description=f"快递第{n}次没送到。", defer_processing=True) for n in range(3)]
    assert _sent() == []  # accepted only: the integrator hears of a case once it is processed

    assert intake_process_pending(limit=10) == 3

    for case in cases:
        [(_recipient, event, data)] = _sent(case)
        assert (event, data["number"], data["department"]) == (
            "case.created",
            case.number,
            "logistics",
        )


def test_an_endpoint_that_only_wants_updates_hears_of_later_changes_not_of_the_intake(routed):
    WebhookEndpoint.objects.create(name="BI", url="https://93.184.215.14/", events=["case.updated"])
    case = make_case(description="快递三天没到。")
    assert _sent(case) == []  # routing and assignment belong to the creation

    case_update_fields(
        actor=Actor.staff(routed.carol), case=case, changes={"severity": Severity.URGENT}
    )

    assert [(e, d["severity"]) for _r, e, d in _sent(case)] == [("case.updated", "urgent")]


def test_changes_resolved_in_one_unit_of_work_are_one_resolved_event(world):
    WebhookEndpoint.objects.create(name="ERP", url="https://93.184.215.14/", events=ALL_EVENTS)
    case = make_case(assignee=world.alice)
    case = case_transition(actor=Actor.staff(world.alice), case=case, action=Action.START)
    before = len(_sent(case))
    actor = Actor.staff(world.alice)

    with transaction.atomic(), unit_of_work():
        case = case_update_fields(actor=actor, case=case, changes={"severity": Severity.MAJOR})
        case = case_transition(
            actor=actor,
            case=case,
            action=Action.RESOLVE,
            resolution_code=world.resolution_code,
            root_cause=world.root_cause,
            summary="已退款",
        )

    [(_r, event, data)] = _sent(case)[before:]
    assert event == "case.resolved"
    assert (data["status"], data["severity"]) == (Status.RESOLVED, "major")


def test_an_event_from_a_rolled_back_savepoint_is_not_sent(world):
    WebhookEndpoint.objects.create(name="ERP", url="https://93.184.215.14/", events=ALL_EVENTS)
    case = make_case(assignee=world.alice)
    kept = make_case(customer=make_customer(), assignee=world.alice)
    before = len(_sent())
    actor = Actor.staff(world.alice)

    with transaction.atomic(), unit_of_work():
        case_update_fields(actor=actor, case=kept, changes={"subject": "改过的标题"})
        with pytest.raises(RuntimeError), transaction.atomic():
            case_update_fields(actor=actor, case=case, changes={"subject": "不会留下"})
            raise RuntimeError("this part of the work fails")

    assert [(e, d["number"]) for _r, e, d in _sent()[before:]] == [("case.updated", kept.number)]


def test_nothing_is_sent_when_the_whole_unit_of_work_fails(world):
    WebhookEndpoint.objects.create(name="ERP", url="https://93.184.215.14/", events=ALL_EVENTS)
    before = len(_sent())

    with pytest.raises(RuntimeError), transaction.atomic(), unit_of_work():
        make_case()
        raise RuntimeError("the change fails after the case was written")

    assert len(_sent()) == before
