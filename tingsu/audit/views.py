"""The compliance officer's page: filter the audit trail, verify the chain, export it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tingsu.audit.exports import export_header, export_rows
from tingsu.audit.forms import AuditFilterForm
from tingsu.audit.permissions import access_audit_trail
from tingsu.audit.selectors import audit_entry_list
from tingsu.audit.services import audit_record
from tingsu.audit.verify import audit_chain_verify
from tingsu.core.exports import csv_response, xlsx_response

PER_PAGE = 50
EXPORT_MAX_ROWS = 100_000
EXPORT_FORMATS = ("csv", "xlsx")


def _back(request):
    query = request.POST.get("query", "")
    url = reverse("audit:entries")
    return redirect(f"{url}?{query}" if query else url)


@login_required
@require_GET
def entry_list(request):
    access_audit_trail(request.user)
    form = AuditFilterForm(request.GET or None)
    entries = None
    if not form.is_bound:
        entries = audit_entry_list()
    elif form.is_valid():
        entries = audit_entry_list(**form.filters())
    page = None
    if entries is not None:
        page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/entries.html",
        {"form": form, "page_obj": page, "query": query.urlencode()},
    )


@login_required
@require_POST
def verify(request):
    access_audit_trail(request.user)
    result = audit_chain_verify()
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action="audit.verify",
            object_type="audit.auditentry",
            object_id="",
            changes={
                "ok": result.ok,
                "checked": result.checked,
                "problem": result.problem or "",
                "seq": result.seq,
            },
        )
    if result.ok:
        messages.success(
            request,
            _("The audit chain is intact: %(count)d entries and %(anchors)d anchors verified.")
            % {"count": result.checked, "anchors": result.anchors_checked},
        )
    else:
        messages.error(request, _("The audit chain was tampered with. %s") % result.message)
    return _back(request)


@login_required
@require_GET
def export(request, fmt: str):
    access_audit_trail(request.user)
    if fmt not in EXPORT_FORMATS:
        raise Http404
    form = AuditFilterForm(request.GET)
    url = f"{reverse('audit:entries')}?{request.GET.urlencode()}"
    if not form.is_valid():
        messages.error(request, _("Correct the filters before exporting."))
        return redirect(url)
    entries = audit_entry_list(**form.filters())
    count = entries.count()
    if count > EXPORT_MAX_ROWS:
        messages.error(
            request,
            _("%(count)d entries match; narrow the filters to at most %(max)d to export.")
            % {"count": count, "max": EXPORT_MAX_ROWS},
        )
        return redirect(url)
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action="audit.export",
            object_type="audit.auditentry",
            object_id="",
            changes={
                "format": fmt,
                "rows": count,
                "filters": {k: str(v) for k, v in form.filters().items()},
            },
        )
    rows = export_rows(entries.order_by("seq").iterator(chunk_size=2000))
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    filename = f"tingsu-audit-{stamp}.{fmt}"
    if fmt == "csv":
        return csv_response(export_header(), rows, filename=filename)
    return xlsx_response(export_header(), rows, filename=filename, title=_("Audit trail"))
