"""Test helpers: a small company with staff in every role, and case factories.

Names follow the healthchecks convention: alice and bob are agents in 客服中心, carol is
their supervisor; dave is an agent in 物流部 and erin supervises 物流部; root is admin and
quinn is compliance. charlie-style "no access" checks use dave and erin.
"""

import itertools
from dataclasses import dataclass

from django.db import transaction

PASSWORD = "pass-for-tests-1"
_seq = itertools.count(1)


@dataclass
class World:
    service: object
    logistics: object
    alice: object
    bob: object
    carol: object
    dave: object
    erin: object
    root: object
    quinn: object
    category: object
    subcategory: object
    resolution_code: object
    root_cause: object


def make_world() -> World:
    from tingsu.accounts.models import Department, Role, User
    from tingsu.cases.models import Category, ResolutionCode, RootCause

    service = Department.objects.create(name="客服中心", code="service")
    logistics = Department.objects.create(name="物流部", code="logistics")

    def user(username, role, dept, **kw):
        return User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role,
            department=dept,
            display_name=username.capitalize(),
            **kw,
        )

    category = Category.objects.create(name="商品质量", code="quality", default_department=service)
    return World(
        service=service,
        logistics=logistics,
        alice=user("alice", Role.AGENT, service),
        bob=user("bob", Role.AGENT, service),
        carol=user("carol", Role.SUPERVISOR, service),
        dave=user("dave", Role.AGENT, logistics),
        erin=user("erin", Role.SUPERVISOR, logistics),
        root=user("root", Role.ADMIN, None, is_staff=True, is_superuser=True),
        quinn=user("quinn", Role.COMPLIANCE, None),
        category=category,
        subcategory=Category.objects.create(
            name="破损", code="quality-damaged", parent=category, default_department=service
        ),
        resolution_code=ResolutionCode.objects.create(code="refund", name="退款"),
        root_cause=RootCause.objects.create(code="packaging", name="包装不当"),
    )


def make_customer(**kw):
    from tingsu.customers.models import Customer

    n = next(_seq)
    defaults = {"name": f"顾客{n}", "phone": f"1380000{n:04d}", "email": f"c{n}@example.com"}
    return Customer.objects.create(**{**defaults, **kw})


def make_case(*, customer=None, department=None, assignee=None, status=None, **kw):
    """A case created through the service, optionally assigned and moved."""
    from tingsu.cases.models import Channel
    from tingsu.cases.services import Actor, case_create

    customer = customer or make_customer()
    with transaction.atomic():
        case, _ = case_create(
            actor=Actor.customer(customer),
            customer=customer,
            channel=kw.pop("channel", Channel.PORTAL),
            subject=kw.pop("subject", "收到的杯子是碎的"),
            description=kw.pop("description", "今天收到快递，杯子碎成两半，要求退款。"),
            department=department,
            **kw,
        )
    if assignee is not None:
        from tingsu.cases.services import case_assign

        case = case_assign(actor=Actor.staff(assignee), case=case, assignee=assignee)
    if status is not None:
        from tingsu.cases.models import Case

        Case.objects.filter(pk=case.pk).update(status=status)
        case.refresh_from_db()
    return case


# What the data migrations put in (SLA policies and calendar, risk word lists, notification
# templates): a transactional test starts from an emptied database and must put it back.
DATA_MIGRATION_SEEDS = [
    "tingsu.sla.migrations.0002_seed:seed",
    "tingsu.triage.migrations.0002_seed_word_lists:seed",
    "tingsu.channels.migrations.0002_default_notification_templates:create_defaults",
    "tingsu.channels.migrations.0003_sla_staff_notifications:create_defaults",
    "tingsu.channels.migrations.0004_extension_staff_notifications:create_defaults",
]


def reseed_data_migrations() -> None:
    import importlib

    from django.apps import apps

    from tingsu.core.config import config_changed

    for path in DATA_MIGRATION_SEEDS:
        module, name = path.split(":")
        getattr(importlib.import_module(module), name)(apps, None)
    config_changed()  # what this process cached belongs to the emptied database
