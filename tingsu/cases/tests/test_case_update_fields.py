"""Editing a case's fields: only the editable ones, each change on the timeline."""

import pytest

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import Case, CaseEvent, EventKind, Priority, Severity, Status
from tingsu.cases.services import EDITABLE_FIELDS, Actor, case_update_fields
from tingsu.core.errors import ErrorCode, TingsuError, ValidationFailed
from tingsu.core.testing import make_case, make_customer

pytestmark = pytest.mark.django_db


def snapshot(case):
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.subject,
        fresh.severity,
        fresh.priority,
        fresh.category_id,
        fresh.order_number,
        sorted(fresh.tags.values_list("name", flat=True)),
        fresh.updated_at,
        CaseEvent.objects.filter(case=case).count(),
        AuditEntry.objects.count(),
    )


def field_events(case):
    return {
        e.data["field"]: e
        for e in CaseEvent.objects.filter(case=case, kind=EventKind.FIELD_CHANGED)
    }


def test_it_records_old_and_new_values_per_field(world):
    case = make_case(department=world.service, category=world.category, order_number="A1")
    case_update_fields(
        actor=Actor.staff(world.alice),
        case=case,
        changes={
            "category": world.subcategory,
            "severity": Severity.URGENT,
            "priority": Priority.P1,
            "subject": "杯子破损，要求换货",
            "order_number": "  A2 ",
        },
    )
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.category == world.subcategory and fresh.severity == Severity.URGENT
    assert fresh.priority == Priority.P1 and fresh.order_number == "A2"
    events = field_events(case)
    assert set(events) == {"category", "severity", "priority", "subject", "order_number"}
    assert events["category"].data == {
        "field": "category",
        "old": "商品质量",
        "new": "商品质量 / 破损",
    }
    assert events["severity"].data == {"field": "severity", "old": "normal", "new": "urgent"}
    assert events["priority"].data == {"field": "priority", "old": 3, "new": 1}
    assert events["order_number"].data == {"field": "order_number", "old": "A1", "new": "A2"}
    assert all(e.author == world.alice and not e.is_public for e in events.values())
    audit = AuditEntry.objects.get(action="case.update")
    assert audit.actor == world.alice and audit.object_id == str(case.pk)
    assert audit.changes["severity"] == {"old": "normal", "new": "urgent"}
    assert audit.changes["subject"]["new"] == "杯子破损，要求换货"


def test_it_records_the_tag_diff(world):
    case = make_case(department=world.service, tags=["破损", "物流"])
    case_update_fields(
        actor=Actor.staff(world.alice), case=case, changes={"tags": ["物流", "退款", " "]}
    )
    assert sorted(Case.objects.get(pk=case.pk).tags.values_list("name", flat=True)) == [
        "物流",
        "退款",
    ]
    # Names sort by code point: 物 < 破 < 退.
    event = field_events(case)["tags"]
    assert event.data == {"field": "tags", "old": ["物流", "破损"], "new": ["物流", "退款"]}
    audit = AuditEntry.objects.get(action="case.update")
    assert audit.changes["tags"] == {"old": ["物流", "破损"], "new": ["物流", "退款"]}


def test_unchanged_values_record_nothing(world):
    case = make_case(department=world.service, tags=["物流"])
    before = snapshot(case)
    case_update_fields(
        actor=Actor.staff(world.alice),
        case=case,
        changes={"severity": Severity.NORMAL, "priority": Priority.P3, "tags": ["物流"]},
    )
    assert snapshot(case) == before


@pytest.mark.parametrize(
    "field", ["status", "assignee", "department", "number", "customer", "resolved_at", "nonsense"]
)
def test_it_refuses_a_field_that_is_not_editable_and_changes_nothing(world, field):
    case = make_case(department=world.service)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_update_fields(
            actor=Actor.staff(world.root),
            case=case,
            changes={"severity": Severity.MAJOR, field: "x"},
        )
    assert exc.value.code == ErrorCode.FIELD_NOT_EDITABLE
    assert list(exc.value.detail) == [field]
    assert snapshot(case) == before


def test_the_editable_fields_are_the_documented_ones():
    assert set(EDITABLE_FIELDS) == {
        "subject",
        "category",
        "severity",
        "priority",
        "tags",
        "order_number",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("severity", "apocalyptic"),
        ("priority", 9),
        ("priority", "P1"),
        ("subject", "  "),
        ("subject", "长" * 201),
        ("order_number", "9" * 65),
    ],
)
def test_it_refuses_an_invalid_value_and_changes_nothing(world, field, value):
    case = make_case(department=world.service, tags=["物流"])
    before = snapshot(case)
    with pytest.raises(ValidationFailed) as exc:
        case_update_fields(
            actor=Actor.staff(world.alice),
            case=case,
            changes={"tags": ["退款"], field: value},
        )
    assert field in exc.value.detail
    assert snapshot(case) == before


def test_it_accepts_a_priority_given_as_a_string_of_its_number(world):
    case = make_case(department=world.service)
    case_update_fields(actor=Actor.staff(world.alice), case=case, changes={"priority": "2"})
    assert Case.objects.get(pk=case.pk).priority == Priority.P2
    assert field_events(case)["priority"].data == {"field": "priority", "old": 3, "new": 2}


def test_it_refuses_an_inactive_category(world):
    world.subcategory.is_active = False
    world.subcategory.save()
    case = make_case(department=world.service, category=world.category)
    before = snapshot(case)
    with pytest.raises(ValidationFailed) as exc:
        case_update_fields(
            actor=Actor.staff(world.alice), case=case, changes={"category": world.subcategory}
        )
    assert "category" in exc.value.detail
    assert snapshot(case) == before


def test_it_refuses_edits_from_a_compliance_officer_or_a_customer(world):
    customer = make_customer()
    case = make_case(customer=customer, department=world.service)
    before = snapshot(case)
    for actor, code in (
        (Actor.staff(world.quinn), ErrorCode.PERMISSION_DENIED),
        (Actor.customer(customer), ErrorCode.NOT_AUTHENTICATED),
    ):
        with pytest.raises(TingsuError) as exc:
            case_update_fields(actor=actor, case=case, changes={"severity": Severity.MAJOR})
        assert exc.value.code == code
    assert snapshot(case) == before


@pytest.mark.parametrize(
    "status", [Status.CLOSED, Status.WITHDRAWN, Status.REJECTED, Status.MERGED]
)
def test_it_refuses_to_edit_a_finished_case(world, status):
    case = make_case(department=world.service, status=status)
    before = snapshot(case)
    with pytest.raises(TingsuError) as exc:
        case_update_fields(
            actor=Actor.staff(world.root), case=case, changes={"severity": Severity.MAJOR}
        )
    assert exc.value.code == ErrorCode.INVALID_TRANSITION
    assert snapshot(case) == before
