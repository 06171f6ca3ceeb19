"""Display helpers for the staff workspace: status badges and timeline field changes."""

from functools import lru_cache

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils import translation

from tingsu.cases.models import Case, Channel, Priority, Severity, Status

register = template.Library()

STATUS_BADGE = {
    Status.NEW: "text-bg-primary",
    Status.ASSIGNED: "text-bg-info",
    Status.IN_PROGRESS: "text-bg-warning",
    Status.WAITING_CUSTOMER: "text-bg-light border",
    Status.RESOLVED: "text-bg-success",
    Status.CLOSED: "text-bg-secondary",
}
SEVERITY_BADGE = {
    Severity.NORMAL: "text-bg-light border",
    Severity.URGENT: "text-bg-warning",
    Severity.MAJOR: "text-bg-danger",
}
CHOICES = {"status": Status, "severity": Severity, "priority": Priority, "channel": Channel}


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGE.get(status, "text-bg-dark")


@register.filter
def severity_badge(severity: str) -> str:
    return SEVERITY_BADGE.get(severity, "text-bg-light border")


@register.filter
def status_label(value) -> str:
    return _label("status", value)


@register.filter
def channel_label(value) -> str:
    return _label("channel", value)


@register.filter
def severity_label(value) -> str:
    return _label("severity", value)


@register.filter
def priority_label(value) -> str:
    return _label("priority", value)


@lru_cache(maxsize=64)
def _labels(field: str, language: str | None) -> dict:
    """A field's choice labels in one language, translated once per process (the model's
    get_FOO_display translates every label of the field on each call)."""
    with translation.override(language):
        return {choice.value: str(choice.label) for choice in CHOICES[field]}


def _label(field: str, value) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if field in CHOICES:
        try:
            return _labels(field, translation.get_language())[value]
        except (KeyError, TypeError):
            pass
    return str(value)


@register.filter
def field_change(event) -> dict:
    """{"label", "old", "new"} for a field_changed event, ready to show as old → new."""
    data = event.data or {}
    field = data.get("field", "")
    try:
        label = str(Case._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        label = field
    return {
        "label": label,
        "old": _label(field, data.get("old")),
        "new": _label(field, data.get("new")),
    }
