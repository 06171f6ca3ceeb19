"""A new complaint whose risk signals raise its severity starts its SLA clocks under the
policy of that severity at once: its timeline shows no policy change at birth."""

import pytest

from tingsu.cases.models import CaseEvent, Channel, Severity
from tingsu.cases.services import Actor, case_create
from tingsu.customers.services import customer_resolve
from tingsu.sla.models import SlaTimer, TimerKind

pytestmark = pytest.mark.django_db


def test_a_risky_complaint_starts_under_the_urgent_policy(world):
    customer = customer_resolve(name="刘洋", phone="13900002222")
    case, _ = case_create(
        actor=Actor.customer(customer),
        customer=customer,
        channel=Channel.API,
        subject="退款",
        description="退款七天没到账，再不处理我就打12315投诉。",
        category=world.category,
    )
    case.refresh_from_db()
    assert case.severity == Severity.URGENT  # raised by the 12315 signal
    timers = {t.kind: t for t in SlaTimer.objects.filter(case=case).select_related("policy")}
    assert {t.policy.key for t in timers.values()} == {"urgent"}
    resolution = timers[TimerKind.RESOLUTION]
    assert resolution.due_at > resolution.started_at == case.created_at
    notes = CaseEvent.objects.filter(case=case, data__sla__action="recomputed")
    assert not notes.exists()
