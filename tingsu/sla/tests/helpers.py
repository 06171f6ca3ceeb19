from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import CaseEvent
from tingsu.core.testing import make_case, make_customer
from tingsu.sla.models import SlaTimer

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def travel(when: datetime):
    return time_machine.travel(when, tick=False)


def new_case(world, when: datetime, **kw):
    with travel(when):
        return make_case(
            **{
                "customer": make_customer(),
                "category": world.category,
                "subject": "包装问题",
                "description": "请处理一下。",
                **kw,
            }
        )


def timer(case, kind: str) -> SlaTimer:
    return SlaTimer.objects.filter(case=case, kind=kind).order_by("-id").first()


def sla_events(case, action: str):
    return CaseEvent.objects.filter(case=case, data__sla__action=action)


def audits(case, action: str):
    return AuditEntry.objects.filter(action=action, changes__number=case.number)
