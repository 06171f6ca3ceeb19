from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tingsu.cases.batch import case_batch
from tingsu.cases.selectors import case_list
from tingsu.core.pagination import CappedPaginator
from tingsu.customers.phones import looks_like_phone
from tingsu.desk.forms import BATCH_LABELS, BatchForm, QueueFilterForm
from tingsu.privacy.permissions import user_sees_pii
from tingsu.privacy.services import pii_search_by_phone

PER_PAGE = 25
# What the table shows (desk/templatetags/desk.py, queue_rows), and nothing else: not the
# long texts nor the customer's encrypted contact fields (each would be decrypted for every
# row), and of the related rows only the names. Building 25 cases with all their fields
# and those of five related objects took a quarter of the page's CPU time.
TABLE_FIELDS = (
    "number",
    "subject",
    "severity",
    "priority",
    "status",
    "created_at",
    "customer__name",
    "customer__tier",
    "category__name",
    "category__parent__name",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__display_name",
    "department__name",
)


@login_required
@require_GET
def queue(request):
    form = QueueFilterForm(request.GET)
    filters, invalid = form.filters()
    if invalid:
        messages.warning(
            request, _("Ignored invalid filter values: %(fields)s") % {"fields": ", ".join(invalid)}
        )
    cases = case_list(user=request.user, filters=filters).only(*TABLE_FIELDS)
    if looks_like_phone(filters.text):
        pii_search_by_phone(actor=request.user, phone=filters.text, where="desk.queue")
    # The count stops a thousand rows past the page: "1,000+ cases", never a full scan.
    paginator = CappedPaginator(cases, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "pii_clear": user_sees_pii(request.user)}
    # htmx swaps only the table; a history restore or a plain request gets the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "desk/partials/_queue_table.html", context)
    else:
        context["batch_form"] = BatchForm(user=request.user)
        response = render(request, "desk/queue.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_POST
def batch(request):
    form = BatchForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("desk:queue")
    results = case_batch(user=request.user, **form.batch_kwargs())
    done = sum(r.ok for r in results)
    messages.info(
        request,
        _("%(done)d of %(total)d cases done.") % {"done": done, "total": len(results)},
    )
    op_label = BATCH_LABELS[form.cleaned_data["op"]]
    return render(request, "desk/batch_result.html", {"results": results, "op_label": op_label})
