"""The case page's timeline, written in Python: the same HTML as the loop of
desk/partials/_timeline.html it replaces (test_rendering keeps that loop and checks both
give the same), without resolving some 40 template variables and filters per event."""

from functools import lru_cache

from django import template
from django.template.defaultfilters import capfirst, filesizeformat
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from tingsu.cases.models import AuthorType, EventKind
from tingsu.desk.rendering import render_value
from tingsu.desk.templatetags.desk import channel_label, field_change, status_label
from tingsu.privacy.templatetags.privacy import register as privacy_filters

register = template.Library()
_pii_text_for = privacy_filters.filters["pii_text_for"]
_MISSING = object()  # a key the template's lookup does not find renders as ""


@lru_cache(maxsize=16)
def _labels(language: str | None) -> tuple[dict, dict]:
    """Event kinds' and author types' labels in one language (get_FOO_display translates
    every choice of the field on each call)."""
    with translation.override(language):
        return (
            {c.value: str(c.label) for c in EventKind},
            {c.value: str(c.label) for c in AuthorType},
        )


def _get(data, key: str):
    return data.get(key, _MISSING) if isinstance(data, dict) else _MISSING


def _out(value) -> str:
    """`{{ value }}`, where a missing key renders as ""."""
    return "" if value is _MISSING else render_value(value)


def _or_dash(value) -> str:
    """`{{ value|default:"—" }}`."""
    return render_value(value) if value is not _MISSING and value else "—"


def _status(value) -> str:
    """`{{ value|status_label }}`."""
    return render_value(status_label("" if value is _MISSING else value))


def _dates(value) -> tuple[str, str]:
    """`{{ value|date:'c' }}` and `{{ value|date:"Y-m-d H:i" }}` (what DateFormat writes
    for them, without parsing the formats for every event)."""
    local = template_localtime(value)
    return escape(local.isoformat()), (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"
    )


def _content(event, data, pii) -> str:
    """What the event says, under its heading."""
    kind = event.kind
    if kind == EventKind.FIELD_CHANGED:
        change = field_change(event)
        return (
            '\n      \n        <div class="field-change">'
            f"{render_value(capfirst(change['label']))}: {render_value(change['old'])} → "
            f"{render_value(change['new'])}</div>\n      \n    "
        )
    if kind in (EventKind.ASSIGNED, EventKind.TRANSFERRED):
        moved = (
            f"\n      <div>{_or_dash(_get(data, 'from_label'))} → "
            f"{_out(_get(data, 'to_label'))}</div>"
        )
        if kind == EventKind.ASSIGNED:
            return moved + "\n    "
        reason = _get(data, "reason")
        reason = "" if reason is _MISSING else reason
        return (
            f'{moved}\n      <div class="body">{escape(gettext("Reason"))}: '
            f"{render_value(pii(reason or event.body))}</div>\n    "
        )
    if kind in (EventKind.TRANSITION, EventKind.MERGED):
        into = f" ({render_value(data['into'])})" if _truthy(data, "into") else ""
        body = event.body
        body = f'<div class="body">{render_value(pii(body))}</div>' if body else ""
        return (
            f"\n      <div>{_status(_get(data, 'from'))} → {_status(_get(data, 'to'))}"
            f"{into}</div>\n      {body}\n    "
        )
    channel = _get(data, "channel")
    via = ""
    if _truthy(data, "channel"):
        label = gettext("via %(channel)s") % {"channel": render_value(channel_label(channel))}
        via = (
            f'<span class="badge text-bg-light border" data-channel="{render_value(channel)}">'
            f"{label}</span>"
        )
    threaded = ""
    if _truthy(data, "threaded_by") and _truthy(data, "reason"):
        threaded = (
            '<div class="small text-body-secondary" data-testid="threaded-reason">'
            f"{render_value(data['reason'])}</div>"
        )
    return (
        f'\n      {via}\n      <div class="body">{render_value(pii(event.body))}</div>'
        f"\n      {threaded}\n    "
    )


def _truthy(data, key: str) -> bool:
    value = _get(data, key)
    return value is not _MISSING and bool(value)


def _attachments(event, number: str) -> str:
    # cases.selectors.case_staff_timeline says which events have attachments to read.
    has_any = getattr(event, "has_attachments", True)
    attachments = list(event.attachments.all()) if has_any else []
    if not attachments:
        return ""
    items = "".join(
        '\n          <li class="list-inline-item"><a href="'
        f'{escape(reverse("desk:attachment", args=[number, a.pk]))}">📎 '
        f"{render_value(a.filename)}</a> "
        f'<span class="text-body-secondary">({render_value(filesizeformat(a.size))})</span>'
        "</li>\n        "
        for a in attachments
    )
    return f'\n      <ul class="list-inline small mb-0">\n        {items}\n      </ul>\n    '


@register.simple_tag(takes_context=True)
def timeline_items(context, timeline) -> str:
    case = context["case"]
    viewer = context.get("pii_clear", "")

    def pii(value):
        return _pii_text_for(value, viewer)

    kinds, authors = _labels(translation.get_language())
    out = []
    for event in timeline:
        kind, author_type, data = event.kind, event.author_type, event.data
        if kind == EventKind.NOTE:
            css, badge = (
                "is-note",
                (
                    f'<span class="badge text-bg-warning">{escape(gettext("Internal"))}</span>'
                    "\n      "
                ),
            )
        else:
            css = {AuthorType.CUSTOMER: "is-customer", AuthorType.STAFF: "is-staff"}.get(
                author_type, ""
            )
            badge = (
                ""
                if event.is_public
                else '<span class="badge text-bg-light border">'
                f"{escape(gettext('Staff only'))}</span>"
            )
        iso, minute = _dates(event.created_at)
        if event.author:
            author = render_value(event.author)
        elif author_type == AuthorType.CUSTOMER:
            author = render_value(case.customer.name)
        else:
            author = render_value(authors.get(author_type, author_type))
        out.append(
            f'\n  <li class="{css}" data-kind="{render_value(kind)}">'
            '\n    <div class="small text-body-secondary">'
            f'\n      <span class="fw-semibold">\n        {author}\n      </span>'
            f"\n      · {render_value(kinds.get(kind, kind))}"
            f"\n      {badge}"
            f'\n      · <time datetime="{iso}">{minute}</time>'
            "\n    </div>"
            f"\n    {_content(event, data, pii)}"
            f"\n    {_attachments(event, case.number)}"
            "\n  </li>\n"
        )
    if not out:
        out.append(f'\n  <li class="text-body-secondary">{escape(gettext("Nothing yet."))}</li>\n')
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
