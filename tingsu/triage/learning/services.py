"""Training, storing and using the triage classifier, and recording staff corrections.

Hooks from tingsu.cases.services: triage_predict_case (after case_create) and
triage_record_corrections (in case_update_fields). Both run inside the caller's transaction
and must never make it fail.
"""

from __future__ import annotations

import logging
import pickle  # noqa: S403 - only our own blobs, written by model_train, are loaded
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from tingsu.cases.models import Case, Category, Severity, Status
from tingsu.cases.row_writes import case_reloaded
from tingsu.core.config import cached, config_changed
from tingsu.triage.learning.models import Target, TriageCorrection, TriageModel, TriagePrediction

if TYPE_CHECKING:
    from tingsu.triage.learning import pipeline as P

log = logging.getLogger(__name__)

TRAINING_STATUSES = (Status.RESOLVED, Status.CLOSED)
_predictors: dict[int, P.Predictor] = {}


def _pipeline():
    """The classifier's module, imported on first use: scikit-learn, numpy and scipy weigh
    about 100 MB per process, and a web process that never trains or predicts (the API
    defers classification to the task worker) never needs them."""
    from tingsu.triage.learning import pipeline

    return pipeline


def case_text(case: Case) -> str:
    return f"{case.subject}\n{case.description}"


def training_data_from_db(*, target: str) -> tuple[list[str], list[str]]:
    """Resolved and closed cases; the label is the case's current value, so a staff
    correction is what the next training learns."""
    cases = Case.objects.filter(status__in=TRAINING_STATUSES).select_related("category")
    texts, labels = [], []
    for case in cases.order_by("pk").iterator(chunk_size=2000):
        if target == Target.CATEGORY:
            label = case.category.code if case.category else ""
        else:
            label = case.severity
        if label:
            texts.append(case_text(case))
            labels.append(label)
    return texts, labels


def model_train(
    *,
    target: str,
    texts: list[str],
    labels: list[str],
    source: str = "",
    activate: bool = False,
    log_fn: Callable[[str], None] = lambda _m: None,
) -> TriageModel:
    """Fit on all the data and store a new version. Metrics come from a held-out 20%
    (stratified, fixed seed) when every label has at least 5 examples."""
    if len(set(labels)) < 2:
        raise ValueError("training needs at least two different labels")
    metrics: dict[str, Any] = {}
    counts = {lab: labels.count(lab) for lab in set(labels)}
    if min(counts.values()) >= 5:
        log_fn("measuring on a held-out 20%")
        rep = _pipeline().evaluate(texts, labels, log=log_fn)
        metrics = {
            k: rep[k]
            for k in ("accuracy", "macro_f1", "per_class", "baselines", "n_train", "n_test")
        }
    log_fn(f"fitting on all {len(texts)} cases")
    pipe = _pipeline().build_pipeline(len(texts)).fit(texts, labels)
    blob = pickle.dumps(pipe, protocol=pickle.HIGHEST_PROTOCOL)
    with transaction.atomic():
        last = TriageModel.objects.filter(target=target).aggregate(v=Max("version"))["v"] or 0
        model = TriageModel.objects.create(
            target=target,
            version=last + 1,
            trained_on=len(texts),
            source=source[:300],
            labels=sorted(set(labels)),
            metrics=metrics,
            blob=blob,
        )
        if activate:
            model_activate(model=model)
    return model


@transaction.atomic
def model_activate(*, model: TriageModel) -> TriageModel:
    """Make this the one model in use for its target."""
    TriageModel.objects.filter(target=model.target, is_active=True).exclude(pk=model.pk).update(
        is_active=False
    )
    TriageModel.objects.filter(pk=model.pk).update(is_active=True)
    config_changed()  # bulk updates send no signal
    model.is_active = True
    return model


def _predictor(model: TriageModel) -> P.Predictor:
    if model.pk not in _predictors:
        pipe = pickle.loads(bytes(model.blob))  # noqa: S301 - our own blob, see TriageModel
        # Keep the models in use, one per target: clearing them all here made the category
        # and the severity model unpickle each other out, reading both blobs again for
        # every case.
        in_use = {m.pk for m in _active_models().values()} | {model.pk}
        for pk in [pk for pk in _predictors if pk not in in_use]:
            del _predictors[pk]
        _predictors[model.pk] = _pipeline().Predictor(pipe)
    return _predictors[model.pk]


def _active_models() -> dict[str, TriageModel]:
    """The active model per target (without its blob), cached until a model changes."""

    def load() -> dict[str, TriageModel]:
        active: dict[str, TriageModel] = {}
        for model in TriageModel.objects.filter(is_active=True).only("pk", "target", "version"):
            active.setdefault(model.target, model)
        return active

    return cached("triage.active_models", load)


def predict_text(*, target: str, text: str) -> tuple[str, float, TriageModel] | None:
    model = _active_models().get(target)
    if model is None:
        return None
    if model.pk not in _predictors:
        model = TriageModel.objects.get(pk=model.pk)
    label, confidence = _predictor(model).predict(text)
    return label, confidence, model


def _active_categories() -> dict[str, Category]:
    """Code -> active category (with its parent, for its label), cached per process until a
    category changes (the cases app watches Category). Read-only: shared between cases."""
    return cached(
        "triage.active_categories",
        lambda: {
            c.code: c for c in Category.objects.filter(is_active=True).select_related("parent")
        },
    )


def _threshold() -> float:
    return float(settings.TINGSU.get("TRIAGE_APPLY_THRESHOLD", 0.8))


def triage_predict_case(*, case: Case) -> list[TriagePrediction]:
    """Predict category and severity for a new case. At or above the threshold, and only when
    the intake left the field empty (no category; the default severity), the value is applied
    as the system actor "triage"; otherwise it is kept as a suggestion for the agent.
    Never raises: a failure is logged and the case is created without a prediction."""
    if not _active_models():
        return []  # no model in use: nothing to predict, no savepoint
    try:
        with transaction.atomic():
            return _predict_case(case)
    except Exception:
        log.exception("triage prediction failed for case %s", case.pk)
        case_reloaded(case)  # the savepoint's changes to it were rolled back
        return []


def _predict_case(case: Case) -> list[TriagePrediction]:
    from tingsu.cases.services import Actor, case_update_fields

    text = case_text(case)
    out = []
    changes: dict[str, Any] = {}
    for target in (Target.CATEGORY, Target.SEVERITY):
        found = predict_text(target=target, text=text)
        if found is None:
            continue
        label, confidence, model = found
        value: Any = None
        if target == Target.CATEGORY and case.category_id is None:
            value = _active_categories().get(label)
        elif (
            target == Target.SEVERITY
            and case.severity == Severity.NORMAL
            and label in Severity.values
            and label != Severity.NORMAL
        ):
            value = Severity(label)
        apply = value is not None and confidence >= _threshold()
        if apply:
            changes[target] = value
        out.append(
            TriagePrediction(
                case=case,
                target=target,
                label=label,
                confidence=confidence,
                model=model,
                applied=apply,
            )
        )
    out = TriagePrediction.objects.bulk_create(out)  # both targets in one statement
    if changes:
        # The case was created in this transaction: changed in place, not read again.
        case_update_fields(actor=Actor.system("triage"), case=case, changes=changes, locked=True)
    return out


def suggestions_for(*, case: Case) -> list[TriagePrediction]:
    """Unapplied predictions that still differ from the case, newest per target."""
    seen, out = set(), []
    for pred in case.triage_predictions.filter(applied=False).order_by("-created_at", "-pk"):
        if pred.target in seen:
            continue
        seen.add(pred.target)
        current = case.category.code if pred.target == Target.CATEGORY and case.category else ""
        if pred.target == Target.SEVERITY:
            current = case.severity
        if pred.label != current:
            out.append(pred)
    return out


def triage_apply_suggestion(*, actor: Any, case: Case, prediction_id: int) -> Case:
    """Staff apply a suggestion: an ordinary field change by that user."""
    from tingsu.cases.services import case_update_fields
    from tingsu.core.errors import NotFound

    pred = case.triage_predictions.filter(pk=prediction_id).first()
    if pred is None:
        raise NotFound("prediction")
    if pred.target == Target.CATEGORY:
        value: Any = Category.objects.filter(code=pred.label, is_active=True).first()
        if value is None:
            raise NotFound("category")
    else:
        value = pred.label
    with transaction.atomic():
        case = case_update_fields(actor=actor, case=case, changes={pred.target: value})
        TriagePrediction.objects.filter(pk=pred.pk).update(applied=True)
    return case


def triage_record_corrections(*, case: Case, actor: Any, diffs: dict[str, Any]) -> None:
    """Called by case_update_fields: a staff change of category or severity on a case that
    has a prediction, to a value other than the prediction, is a correction."""
    if actor is None or getattr(actor, "user", None) is None:
        return
    try:
        with transaction.atomic():
            for target in (Target.CATEGORY, Target.SEVERITY):
                if target not in diffs:
                    continue
                pred = case.triage_predictions.filter(target=target).order_by("-pk").first()
                if pred is None:
                    continue
                new = case.category.code if target == Target.CATEGORY and case.category else ""
                if target == Target.SEVERITY:
                    new = case.severity
                if new != pred.label:
                    TriageCorrection.objects.create(
                        case=case,
                        target=target,
                        predicted=pred.label,
                        corrected_to=new,
                        by=actor.user,
                    )
    except Exception:
        log.exception("recording a triage correction failed for case %s", case.pk)
