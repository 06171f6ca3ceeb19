"""SLA actions on the case page: ask for an extension (a supervisor approves the second),
and pause or resume the resolution clock while an outside appraisal runs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tingsu.core.errors import TingsuError
from tingsu.desk.views.common import case_or_404
from tingsu.sla.extensions import (
    running_resolution_timer,
    sla_extension_decide,
    sla_extension_request,
)
from tingsu.sla.models import SlaExtension, SlaExtensionRequest
from tingsu.sla.services import sla_case_pause, sla_case_resume


def _run(request, number: str, perform):
    """Scope check (404), service call, then a message; errors never leave the page."""
    case = case_or_404(request.user, number)
    try:
        text = perform(case)
    except TingsuError as exc:
        messages.error(request, exc.message)
    else:
        if text:
            messages.success(request, text)
        else:
            messages.info(request, _("Nothing to change."))
    return redirect("desk:case", number=case.number)


@login_required
@require_POST
def extend(request, number: str):
    def perform(case):
        result = sla_extension_request(
            timer=running_resolution_timer(case),
            user=request.user,
            reason=request.POST.get("reason", ""),
        )
        if isinstance(result, SlaExtension):
            return _("Deadline extended to %(due)s.") % {
                "due": timezone.localtime(result.new_due_at).strftime("%Y-%m-%d")
            }
        return _("Extension requested; a supervisor must approve it.")

    return _run(request, number, perform)


@login_required
@require_POST
def decide(request, number: str, pk: int, decision: str):
    if decision not in ("approve", "reject"):
        raise Http404

    def perform(case):
        ext = SlaExtensionRequest.objects.filter(pk=pk, timer__case=case).first()
        if ext is None:
            raise Http404
        sla_extension_decide(request=ext, user=request.user, approve=decision == "approve")
        return _("Extension approved.") if decision == "approve" else _("Extension rejected.")

    return _run(request, number, perform)


@login_required
@require_POST
def pause(request, number: str):
    def perform(case):
        done = sla_case_pause(case=case, user=request.user, reason=request.POST.get("reason", ""))
        return _("SLA clock paused.") if done else ""

    return _run(request, number, perform)


@login_required
@require_POST
def resume(request, number: str):
    def perform(case):
        return _("SLA clock resumed.") if sla_case_resume(case=case, user=request.user) else ""

    return _run(request, number, perform)


urlpatterns = [
    path("cases/<str:number>/sla/extend/", extend, name="sla_extend"),
    path(
        "cases/<str:number>/sla/extension-requests/<int:pk>/<str:decision>/",
        decide,
        name="sla_extension_decide",
    ),
    path("cases/<str:number>/sla/pause/", pause, name="sla_pause"),
    path("cases/<str:number>/sla/resume/", resume, name="sla_resume"),
]
