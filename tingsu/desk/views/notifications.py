"""The staff member's in-app notifications: assigned, mentioned, transferred."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from tingsu.channels.selectors import cases_still_in_scope, staff_notification_list
from tingsu.channels.services import (
    staff_notification_mark_all_read,
    staff_notification_mark_read,
)
from tingsu.core.errors import NotFound

PER_PAGE = 25


@login_required
@require_GET
def notification_list(request):
    page = Paginator(staff_notification_list(user=request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    linkable = cases_still_in_scope(user=request.user, case_ids=[n.case_id for n in page])
    items = [(n, n.case_id in linkable) for n in page]
    return render(request, "desk/notifications.html", {"page_obj": page, "items": items})


def _back(request):
    page = request.POST.get("page", "")
    url = redirect("desk:notifications").url
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


@login_required
@require_POST
def mark_read(request, pk: int):
    try:
        staff_notification_mark_read(user=request.user, ids=[pk])
    except NotFound:
        raise Http404(_("Notification not found.")) from None
    return _back(request)


@login_required
@require_POST
def mark_all_read(request):
    done = staff_notification_mark_all_read(user=request.user)
    messages.info(
        request,
        ngettext(
            "%(count)d notification marked read.", "%(count)d notifications marked read.", done
        )
        % {"count": done},
    )
    return _back(request)


urlpatterns = [
    path("notifications/", notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", mark_read, name="notification_read"),
    path("notifications/read-all/", mark_all_read, name="notifications_read_all"),
]
