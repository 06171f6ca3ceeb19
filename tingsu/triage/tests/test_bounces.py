from tingsu.accounts.models import Department
from tingsu.cases.models import EventKind
from tingsu.cases.services import Actor, case_transfer
from tingsu.channels.models import StaffNotification
from tingsu.core.testing import make_case
from tingsu.triage.hooks import bounce_count
from tingsu.triage.models import DepartmentRouting, RoutingRule
from tingsu.triage.tests.helpers import audits, events


def test_a_case_bounced_past_the_threshold_alerts_the_supervisor(world):
    DepartmentRouting.objects.create(department=world.service, bounce_alert_threshold=2)
    DepartmentRouting.objects.create(department=world.logistics, bounce_alert_threshold=2)
    RoutingRule.objects.create(name="物流", keywords="快递", set_department=world.logistics)
    case = make_case(description="快递没到", category=world.category)
    assert bounce_count(case) == 0  # routing by a rule is not a bounce
    case = case_transfer(
        actor=Actor.staff(world.erin), case=case, department=world.service, reason="不是物流问题"
    )
    case = case_transfer(
        actor=Actor.staff(world.carol), case=case, department=world.logistics, reason="是物流问题"
    )
    assert bounce_count(case) == 2
    assert not events(case, EventKind.NOTE).exists()
    before = StaffNotification.objects.filter(user=world.carol).count()
    case_transfer(
        actor=Actor.staff(world.erin), case=case, department=world.service, reason="还是客服的"
    )
    note = events(case, EventKind.NOTE).get()
    assert "3" in note.body and note.author_type == "system" and not note.is_public
    assert audits(case, "case.note").get().actor_label == "triage"
    assert audits(case, "case.transfer").count() == 3
    alerts = StaffNotification.objects.filter(user=world.carol)
    assert alerts.count() == before + 2  # the transfer notice and the bounce alert
    assert any("3" in n.text or n.kind for n in alerts)


def test_the_default_threshold_is_three(world):
    other = Department.objects.create(name="财务部", code="finance")
    case = make_case(department=world.service)
    depts = [world.logistics, other, world.service, world.logistics]
    for i, dept in enumerate(depts):
        case = case_transfer(
            actor=Actor.staff(world.root), case=case, department=dept, reason=f"第{i}次"
        )
        assert events(case, EventKind.NOTE).count() == (1 if i == 3 else 0)
