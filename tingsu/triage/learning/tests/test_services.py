import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import AuthorType, CaseEvent, Category, EventKind, Severity, Status
from tingsu.cases.services import Actor, case_update_fields
from tingsu.core.testing import make_case
from tingsu.triage.learning.models import TriageCorrection, TriageModel, TriagePrediction
from tingsu.triage.learning.services import (
    model_activate,
    model_train,
    suggestions_for,
    training_data_from_db,
    triage_apply_suggestion,
)
from tingsu.triage.learning.tests.fixtures import complaints


@pytest.fixture
def categories(world):
    Category.objects.create(name="物流", code="delivery", default_department=world.logistics)
    Category.objects.create(name="账务", code="billing", default_department=world.service)
    return world


def train(activate=True):
    rows = complaints()
    return model_train(
        target="category",
        texts=[t for t, _ in rows],
        labels=[lab for _, lab in rows],
        source="test",
        activate=activate,
    )


def train_severity():
    """Billing complaints are urgent, the others normal."""
    rows = complaints()
    sev = {"quality": "normal", "delivery": "normal", "billing": "urgent"}
    return model_train(
        target="severity",
        texts=[t for t, _ in rows],
        labels=[sev[lab] for _, lab in rows],
        activate=True,
    )


def threshold(settings, value):
    settings.TINGSU = {**settings.TINGSU, "TRIAGE_APPLY_THRESHOLD": value}


def test_training_stores_a_new_version_that_admin_can_put_in_use(categories):
    first = train(activate=True)
    second = train(activate=False)
    assert (first.version, second.version) == (1, 2)
    assert first.trained_on == 90
    assert set(first.labels) == {"quality", "delivery", "billing"}
    assert 0 <= first.metrics["macro_f1"] <= 1
    model_activate(model=second)
    first.refresh_from_db()
    assert not first.is_active
    assert list(TriageModel.objects.filter(is_active=True)) == [second]


def test_a_confident_prediction_is_applied_by_the_system_actor_triage(categories, settings):
    train()
    threshold(settings, 0.0)
    case = make_case(subject="快递太慢", description="包裹丢了，物流一直不更新，请尽快处理")
    assert case.category.code == "delivery"
    pred = TriagePrediction.objects.get(case=case, target="category")
    assert pred.applied and pred.label == "delivery"
    event = CaseEvent.objects.get(case=case, kind=EventKind.FIELD_CHANGED)
    assert event.author_type == AuthorType.SYSTEM
    assert event.data["field"] == "category"
    audit = AuditEntry.objects.get(action="case.update", object_id=str(case.pk))
    assert audit.actor_label == "triage"


def test_an_unsure_prediction_is_only_a_suggestion(categories, settings):
    train()
    threshold(settings, 1.01)
    case = make_case(subject="重复扣款", description="退款没到账，多收了钱")
    assert case.category is None
    pred = TriagePrediction.objects.get(case=case, target="category")
    assert not pred.applied
    assert suggestions_for(case=case) == [pred]
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.FIELD_CHANGED).exists()


def test_a_category_chosen_at_intake_is_not_overwritten(categories, settings):
    train()
    threshold(settings, 0.0)
    case = make_case(description="快递太慢，包裹丢了", category=categories.category)
    assert case.category == categories.category
    assert not TriagePrediction.objects.get(case=case).applied


def test_an_agent_applies_a_suggestion(categories, settings):
    train()
    threshold(settings, 1.01)
    case = make_case(subject="重复扣款", description="退款没到账，多收了钱")
    pred = TriagePrediction.objects.get(case=case, target="category")
    case = triage_apply_suggestion(
        actor=Actor.staff(categories.alice), case=case, prediction_id=pred.pk
    )
    assert case.category.code == pred.label
    event = CaseEvent.objects.get(case=case, kind=EventKind.FIELD_CHANGED)
    assert event.author == categories.alice
    assert AuditEntry.objects.filter(action="case.update", object_id=str(case.pk)).exists()
    assert suggestions_for(case=case) == []
    assert not TriageCorrection.objects.exists()


def test_a_correction_is_recorded_and_the_next_training_learns_it(categories, settings):
    train()
    threshold(settings, 0.0)
    case = make_case(subject="快递太慢", description="包裹丢了，物流一直不更新")
    assert case.category.code == "delivery"
    billing = Category.objects.get(code="billing")
    case = case_update_fields(
        actor=Actor.staff(categories.alice), case=case, changes={"category": billing}
    )
    correction = TriageCorrection.objects.get(case=case)
    assert (correction.predicted, correction.corrected_to) == ("delivery", "billing")
    assert correction.by == categories.alice
    assert CaseEvent.objects.filter(
        case=case, kind=EventKind.FIELD_CHANGED, author=categories.alice
    ).exists()
    case.status = Status.RESOLVED
    case.save(update_fields=["status"])
    texts, labels = training_data_from_db(target="category")
    assert labels == ["billing"]
    assert "包裹丢了" in texts[0]


def test_case_creation_works_with_no_model_trained(categories):
    case = make_case(description="快递太慢")
    assert case.pk and case.category is None and case.severity == Severity.NORMAL
    assert not TriagePrediction.objects.exists()


def test_a_broken_model_never_breaks_case_creation(categories, settings):
    model = train()
    TriageModel.objects.filter(pk=model.pk).update(blob=b"not a pickle")
    from tingsu.triage.learning import services

    services._predictors.clear()
    case = make_case(description="快递太慢")
    assert case.pk and case.category is None
    assert not TriagePrediction.objects.exists()


def test_a_confident_severity_prediction_raises_a_default_severity(categories, settings):
    train_severity()
    threshold(settings, 0.0)
    case = make_case(subject="重复扣款", description="多收了钱，退款没到账")
    assert case.severity == Severity.URGENT
    assert TriagePrediction.objects.get(case=case, target="severity").applied
    event = CaseEvent.objects.get(case=case, kind=EventKind.FIELD_CHANGED)
    assert event.data["field"] == "severity" and event.author_type == AuthorType.SYSTEM
    assert AuditEntry.objects.get(action="case.update", object_id=str(case.pk)).actor_label == (
        "triage"
    )


def test_both_models_stay_loaded_between_cases(categories):
    """With a category and a severity model in use, a second case reads no model blob: each
    prediction used to evict the other target's model and read its blob again."""
    train()
    train_severity()
    first = make_case(subject="重复扣款", description="多收了钱，退款没到账")
    assert TriagePrediction.objects.filter(case=first).count() == 2
    with CaptureQueriesContext(connection) as q:
        second = make_case(subject="快递", description="快递三天没到")
    blobs = [x["sql"] for x in q.captured_queries if '"blob"' in x["sql"]]
    assert blobs == []
    assert TriagePrediction.objects.filter(case=second).count() == 2
