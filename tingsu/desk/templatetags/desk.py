"""Display helpers for the staff workspace: status badges and timeline field changes."""

from django import template
from django.core.exceptions import FieldDoesNotExist

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


def _label(field: str, value) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    choices = CHOICES.get(field)
    if choices is not None:
        try:
            return str(choices(value).label)
        except ValueError:
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
