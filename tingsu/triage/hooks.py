"""Called by tingsu.cases.services inside its transaction (see cases.services._triage).

On creation: risk signals (on_case_assessed, before the SLA timers start), then routing
rules and assignment inside the department (on_case_routed).
On a customer's message on an open case: risk again, with the time already waited.
On a transfer: bounce counting and the supervisor alert.
"""

import importlib

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from tingsu.cases.models import OPEN_STATUSES, Case, CaseEvent, EventKind
from tingsu.cases.services import (
    Actor,
    case_add_note,
    case_auto_assign,
    case_route,
    case_update_fields,
)
from tingsu.core.config import cached
from tingsu.triage.assignment import pick_assignee
from tingsu.triage.models import CaseRisk, CaseRouting, DepartmentRouting
from tingsu.triage.risk import risk_assess
from tingsu.triage.routing import Complaint, match_rule

ACTOR = Actor.system("triage")


def _case(case: Case) -> Case:
    return Case.objects.select_related("customer", "category__parent", "department").get(pk=case.pk)


def apply_risk(case: Case, *, waiting: bool = False, new: bool = False) -> Case:
    """Raise severity/priority when new signals say so; never lower them.

    `new`: the case was created in this transaction (see on_case_assessed)."""
    risk = None if new else CaseRisk.objects.filter(case=case).first()
    assessment = risk_assess(case, waiting=waiting, known=risk.reasons if risk else ())
    if not assessment.reasons:
        return case
    changes = {}
    if assessment.severity != case.severity:
        changes["severity"] = assessment.severity
    if assessment.priority < case.priority:
        changes["priority"] = assessment.priority
    if changes:
        case = case_update_fields(actor=ACTOR, case=case, changes=changes, locked=new)
    if risk is None:
        CaseRisk.objects.create(case=case, reasons=assessment.reasons, score=assessment.score)
    else:
        risk.reasons = [*risk.reasons, *assessment.reasons]
        risk.score += assessment.score
        risk.save(update_fields=["reasons", "score", "updated_at"])
    return case


DEFAULT_SLA_HOOK = "tingsu.sla.services.sla_policy_from_routing"


def _sla_hook(case: Case, policy: str) -> None:
    """A rule's SLA policy key goes to TINGSU_TRIAGE_SLA_HOOK ("module.function", called
    with (case, policy_key)); by default the SLA app applies it to the case's timers."""
    path = getattr(settings, "TINGSU_TRIAGE_SLA_HOOK", "") or DEFAULT_SLA_HOOK
    if policy:
        module, _dot, name = path.rpartition(".")
        getattr(importlib.import_module(module), name)(case, policy)


def apply_routing(case: Case, *, new: bool = False) -> Case:
    rule = match_rule(Complaint.from_case(case))
    if rule is None:
        return case
    reason = _("Routed by rule %(name)s") % {"name": rule.name}
    if rule.set_department_id and rule.set_department_id != case.department_id:
        case = case_route(
            actor=ACTOR, case=case, department=rule.set_department, reason=reason, locked=new
        )
    changes = {}
    if rule.set_priority and rule.set_priority < case.priority:
        changes["priority"] = rule.set_priority
    if rule.tag_list():
        # Prefetched, so case_update_fields compares against the same read.
        prefetch_related_objects([case], "tags")
        tags = sorted({tag.name for tag in case.tags.all()} | set(rule.tag_list()))
        changes["tags"] = tags
    if changes:
        case = case_update_fields(actor=ACTOR, case=case, changes=changes, locked=new)
    routing = {"rule": rule, "rule_name": rule.name, "sla_policy": rule.sla_policy}
    if new:
        CaseRouting.objects.create(case=case, **routing)
    else:
        CaseRouting.objects.update_or_create(case=case, defaults=routing)
    _sla_hook(case, rule.sla_policy)
    return case


def _auto_assigning() -> dict[int, DepartmentRouting]:
    """Department id -> its routing settings, for departments that assign automatically.
    Cached per process until a setting changes (tingsu.core.config); the round-robin
    cursor is always read locked from the table (see pick_assignee)."""
    return cached(
        "triage.auto_assigning",
        lambda: {r.department_id: r for r in DepartmentRouting.objects.filter(auto_assign=True)},
    )


def apply_assignment(case: Case, *, new: bool = False) -> Case:
    if case.department_id is None or case.assignee_id is not None:
        return case
    routing = _auto_assigning().get(case.department_id)
    if routing is None:
        return case
    agent = pick_assignee(case, routing)
    if agent is None:
        return case
    return case_auto_assign(actor=ACTOR, case=case, assignee=agent, locked=new)


def on_case_assessed(case: Case) -> None:
    """A new case's risk signals, before its SLA timers exist: the severity they raise
    selects the policy the timers start under, instead of re-planning them at once.

    `case` is the instance case_create just made (locked by its transaction, with its
    customer and category): every step changes it in place instead of reading it again."""
    apply_risk(case, new=True)


def on_case_routed(case: Case) -> None:
    """A new case's routing rules (which may choose an SLA policy for its timers), then
    assignment inside the department. Same instance as on_case_assessed."""
    case = apply_routing(case, new=True)
    apply_assignment(case, new=True)


def on_customer_message(case: Case) -> None:
    case = _case(case)
    if case.status in OPEN_STATUSES:
        apply_risk(case, waiting=True)


def bounce_count(case: Case) -> int:
    """Transfers made by people (routing by rules is not a bounce)."""
    data = CaseEvent.objects.filter(case=case, kind=EventKind.TRANSFERRED).values_list(
        "data", flat=True
    )
    return sum(1 for d in data if not (d or {}).get("routed"))


def on_case_transferred(case: Case) -> None:
    from tingsu.channels.notify import staff_bounce_alert

    threshold = (
        DepartmentRouting.objects.filter(department_id=case.department_id)
        .values_list("bounce_alert_threshold", flat=True)
        .first()
    )
    threshold = 3 if threshold is None else threshold
    count = bounce_count(case)
    if count <= threshold:
        return
    case_add_note(
        actor=ACTOR,
        case=case,
        body=_("Transferred too many times (%(n)d); supervisors alerted.") % {"n": count},
    )
    staff_bounce_alert(case, count=count)
