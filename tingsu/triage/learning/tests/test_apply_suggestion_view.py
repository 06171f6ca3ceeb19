"""Desk case page: the classifier's suggestion and its one "apply suggestion" button."""

import pytest
from django.urls import reverse

from tingsu.audit.models import AuditEntry
from tingsu.cases.models import CaseEvent, Category, EventKind
from tingsu.core.testing import make_case
from tingsu.triage.learning.models import TriagePrediction
from tingsu.triage.learning.services import model_train
from tingsu.triage.learning.tests.fixtures import complaints


@pytest.fixture
def suggested(world, settings):
    settings.LANGUAGE_CODE = "en"
    settings.TINGSU = {**settings.TINGSU, "TRIAGE_APPLY_THRESHOLD": 1.01}
    Category.objects.create(name="物流", code="delivery")
    Category.objects.create(name="账务", code="billing")
    rows = complaints()
    model_train(
        target="category",
        texts=[t for t, _ in rows],
        labels=[lab for _, lab in rows],
        activate=True,
    )
    case = make_case(
        department=world.service,
        assignee=world.alice,
        subject="快递太慢",
        description="包裹丢了，物流一直不更新",
    )
    return case, TriagePrediction.objects.get(case=case, target="category")


def test_the_case_page_shows_the_suggestion(world, client, suggested):
    case, pred = suggested
    client.force_login(world.alice)
    page = client.get(reverse("desk:case", args=[case.number])).content.decode()
    assert 'data-testid="triage-suggestion"' in page
    assert reverse("triage_learning:apply", args=[case.number, pred.pk]) in page


def test_an_agent_applies_the_suggestion(world, client, suggested):
    case, pred = suggested
    client.force_login(world.alice)
    response = client.post(reverse("triage_learning:apply", args=[case.number, pred.pk]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.category.code == pred.label
    assert CaseEvent.objects.filter(
        case=case, kind=EventKind.FIELD_CHANGED, author=world.alice
    ).exists()
    assert AuditEntry.objects.filter(action="case.update", object_id=str(case.pk)).exists()
    page = client.get(reverse("desk:case", args=[case.number])).content.decode()
    assert 'data-testid="triage-suggestion"' not in page


def test_a_case_outside_the_agents_scope_is_404(world, client, suggested):
    case, pred = suggested
    client.force_login(world.dave)
    response = client.post(reverse("triage_learning:apply", args=[case.number, pred.pk]))
    assert response.status_code == 404


def test_the_compliance_officer_cannot_apply(world, client, suggested):
    case, pred = suggested
    client.force_login(world.quinn)
    client.post(reverse("triage_learning:apply", args=[case.number, pred.pk]))
    case.refresh_from_db()
    assert case.category is None
