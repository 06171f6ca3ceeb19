"""Export the queue's current filter as CSV (streamed) or XLSX.

The rows come from the same scoped selector as the queue page, so an export never holds a
case the user could not open. Personal data is masked for users without clearance, every
text cell is formula-safe (tingsu.core.exports), and each export is an audit entry.
"""

from collections.abc import Iterable, Iterator

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tingsu.audit.services import audit_record
from tingsu.cases.selectors import case_list
from tingsu.core.exports import csv_response, xlsx_response
from tingsu.core.pagination import capped_count
from tingsu.db_routers import using_replica
from tingsu.desk.forms import QueueFilterForm
from tingsu.privacy.masking import mask_email, mask_phone, mask_pii_text, user_sees_pii

FORMATS = ("csv", "xlsx")


def _header() -> list[str]:
    return [
        _("Case number"),
        _("Created"),
        _("Channel"),
        _("Status"),
        _("Severity"),
        _("Priority"),
        _("Category"),
        _("Subject"),
        _("Customer"),
        _("Phone"),
        _("Email"),
        _("Department"),
        _("Assignee"),
        _("Order number"),
        _("Tags"),
        _("Resolved"),
    ]


def _row(case, *, clear: bool) -> list:
    customer = case.customer
    subject, phone, email = case.subject, customer.phone, customer.email
    if not clear:
        subject = mask_pii_text(subject)
        phone, email = mask_phone(phone), mask_email(email)
    return [
        case.number,
        case.created_at,
        case.get_channel_display(),
        case.get_status_display(),
        case.get_severity_display(),
        case.get_priority_display(),
        str(case.category) if case.category_id else "",
        subject,
        customer.name,
        phone,
        email,
        case.department.name if case.department_id else "",
        case.assignee.label if case.assignee_id else "",
        case.order_number,
        ", ".join(t.name for t in case.tags.all()),
        case.resolved_at,
    ]


def _rows(cases: Iterable, *, clear: bool, language: str) -> Iterator[list]:
    # The CSV is written after the view returns: keep the request's language for labels.
    # The rows are a read-only bulk read: a read replica serves them when one is configured.
    with translation.override(language), using_replica():
        for case in cases:
            yield _row(case, clear=clear)


def _filter_summary(request) -> dict:
    return {k: request.GET.getlist(k) for k in sorted(request.GET) if k not in ("format", "page")}


@login_required
@require_GET
def export(request):
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        messages.error(request, _("Unknown export format."))
        return redirect("desk:queue")
    filters, _invalid = QueueFilterForm(request.GET).filters()
    cases = case_list(user=request.user, filters=filters)
    limit = settings.TINGSU["EXPORT_MAX_ROWS"]
    # Count no further than the limit: a refused export must not cost a full count.
    with using_replica():
        counted = capped_count(cases, cap=limit)
    count = counted.count
    if counted.capped:
        messages.error(
            request,
            _("More than %(n)d cases match: narrow the filter to export them.") % {"n": limit},
        )
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(reverse("desk:queue") + "?" + query.urlencode())
    clear = user_sees_pii(request.user)
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action="cases.export",
            object_type="case",
            object_id="",
            changes={
                "format": fmt,
                "filter": _filter_summary(request),
                "rows": count,
                "pii_masked": not clear,
            },
        )
    header = _header()
    # CSV rows are read from the database in chunks while the response streams.
    rows = cases[:limit].iterator(chunk_size=1000)
    body = _rows(rows, clear=clear, language=translation.get_language())
    filename = f"cases-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
    if fmt == "csv":
        return csv_response(header, body, filename=filename)
    return xlsx_response(header, body, filename=filename, title=_("Cases"))
