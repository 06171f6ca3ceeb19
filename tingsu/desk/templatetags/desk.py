"""Display helpers for the staff workspace: status badges, timeline field changes and the
queue's rows."""

from functools import lru_cache

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils import translation
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from tingsu.cases.models import Case, Channel, Priority, Severity, Status
from tingsu.privacy.masking import mask_pii_text, user_sees_pii
from tingsu.sla.templatetags.sla_tags import sla_queue_badge

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


_CASE_URL_MARK = "0-MARK-0"


def _case_url(number: str, prefix_suffix: tuple[str, str]) -> str:
    """`{% url 'desk:case' number %}` for a generated case number (letters, digits and
    dashes, which `reverse` leaves as they are); anything else goes through `reverse`."""
    if number.replace("-", "").isalnum() and number.isascii():
        return f"{prefix_suffix[0]}{number}{prefix_suffix[1]}"
    return reverse("desk:case", args=[number])


@register.simple_tag(takes_context=True)
def queue_rows(context, cases) -> str:
    """The queue table's rows, written in Python: the same HTML as the row template it
    replaces (test_rendering checks it), at a fraction of the cost of resolving some 20
    template variables and filters for each of 25 rows."""
    pii_clear = context.get("pii_clear")
    if pii_clear is None:
        pii_clear = user_sees_pii(context["request"].user)
    language = translation.get_language()
    severity_labels, priority_labels, status_labels = (
        _labels("severity", language),
        _labels("priority", language),
        _labels("status", language),
    )
    url_prefix, _mark, url_suffix = reverse("desk:case", args=[_CASE_URL_MARK]).partition(
        _CASE_URL_MARK
    )
    out = []
    for case in cases:
        number = escape(case.number)
        subject = case.subject
        if subject not in (None, "") and not pii_clear:
            subject = mask_pii_text(subject)
        customer = case.customer
        vip = ' <span class="badge text-bg-warning">VIP</span>' if customer.is_vip else ""
        severity = case.severity
        tags = "".join(
            f'<span class="badge rounded-pill text-bg-light border">{escape(tag.name)}</span> '
            for tag in case.tags.all()
        )
        out.append(
            f'\n    <tr data-number="{number}">'
            f'\n      <td><input type="checkbox" class="form-check-input" name="numbers" '
            f'value="{number}" form="batch-form" aria-label="{number}"></td>'
            f'\n      <td class="text-nowrap"><a href="'
            f'{escape(_case_url(case.number, (url_prefix, url_suffix)))}">{number}</a></td>'
            f"\n      <td>{escape(Truncator(str(subject)).chars(60))}</td>"
            f"\n      <td>{escape(customer.name)}{vip}</td>"
            f"\n      <td>{_or_dash(case.category)}</td>"
            f'\n      <td><span class="badge {escape(severity_badge(severity))} '
            f'severity-{escape(severity)}">'
            f"{escape(_choice(severity_labels, 'severity', severity))}</span></td>"
            f"\n      <td>{escape(_choice(priority_labels, 'priority', case.priority))}</td>"
            f'\n      <td><span class="badge {escape(status_badge(case.status))}">'
            f"{escape(_choice(status_labels, 'status', case.status))}</span></td>"
            f"\n      <td>{_or_dash(case.assignee)}</td>"
            f"\n      <td>{_or_dash(case.department)}</td>"
            f'\n      <td class="text-nowrap">{_minute(case.created_at)}</td>'
            f'\n      <td class="text-nowrap">{conditional_escape(sla_queue_badge(case))}</td>'
            f"\n      <td>{tags}</td>"
            "\n    </tr>\n  "
        )
    if not out:
        # Outside the f-string, where makemessages finds it.
        empty = escape(gettext("No cases match."))
        out.append(
            '\n    <tr><td colspan="13" class="text-center text-body-secondary py-4">'
            f"{empty}</td></tr>\n  "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def _choice(labels: dict, field: str, value) -> str:
    """`_label` with the language's labels already in hand."""
    if value in (None, "", []):
        return "—"
    try:
        return labels[value]
    except (KeyError, TypeError):
        return _label(field, value)


def _or_dash(value) -> str:
    """`{{ value|default:"—" }}`."""
    return conditional_escape(value) if value else "—"


def _minute(value) -> str:
    """`{{ value|date:"Y-m-d H:i" }}`."""
    if not value:
        return ""
    return template_localtime(value).strftime("%Y-%m-%d %H:%M")
