from tingsu.audit.models import AuditEntry
from tingsu.cases.models import CaseEvent


def audits(case, action):
    return AuditEntry.objects.filter(action=action, object_id=str(case.pk))


def events(case, kind):
    return CaseEvent.objects.filter(case=case, kind=kind)
