"""Versioned classifier models, their predictions on cases, and staff corrections."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    CATEGORY = "category", _("Category")
    SEVERITY = "severity", _("Severity")


class TriageModel(models.Model):
    """A fitted pipeline. `blob` is a pickle written by this app only (services.model_train);
    it is never loaded from anywhere else, as unpickling runs code."""

    target = models.CharField(_("target"), max_length=20, choices=Target.choices)
    version = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    trained_on = models.PositiveIntegerField(_("trained on (cases)"), default=0)
    source = models.CharField(_("source"), max_length=300, blank=True)
    labels = models.JSONField(_("labels"), default=list)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    blob = models.BinaryField(_("fitted pipeline"))
    is_active = models.BooleanField(_("in use"), default=False)

    class Meta:
        ordering = ["target", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["target", "version"], name="triage_model_version"),
            models.UniqueConstraint(
                fields=["target"],
                condition=models.Q(is_active=True),
                name="triage_model_one_active",
            ),
        ]
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")

    def __str__(self) -> str:
        return f"{self.get_target_display()} v{self.version}"


class TriagePrediction(models.Model):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="triage_predictions"
    )
    target = models.CharField(_("target"), max_length=20, choices=Target.choices)
    label = models.CharField(_("label"), max_length=100)
    confidence = models.FloatField(_("confidence"))
    model = models.ForeignKey(TriageModel, on_delete=models.SET_NULL, null=True, blank=True)
    applied = models.BooleanField(_("applied"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("triage prediction")
        verbose_name_plural = _("triage predictions")

    def __str__(self) -> str:
        return f"{self.case_id} {self.target}={self.label} ({self.confidence:.2f})"


class TriageCorrection(models.Model):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="triage_corrections"
    )
    target = models.CharField(_("target"), max_length=20, choices=Target.choices)
    predicted = models.CharField(_("predicted"), max_length=100)
    corrected_to = models.CharField(_("corrected to"), max_length=100)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("triage correction")
        verbose_name_plural = _("triage corrections")

    def __str__(self) -> str:
        return f"{self.case_id} {self.target}: {self.predicted} -> {self.corrected_to}"
