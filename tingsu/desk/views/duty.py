"""On/off duty: agents set their own status; supervisors see and set their department's
agents (admins: everyone's). Going off duty returns new, unstarted cases to the pool."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from tingsu.accounts.models import Role
from tingsu.cases.services import Actor
from tingsu.core.errors import NotFound, TingsuError
from tingsu.triage.permissions import access_agent_duty, can_manage_duty
from tingsu.triage.selectors import agents_with_load
from tingsu.triage.services import agent_set_on_duty


class DutyForm(forms.Form):
    on_duty = forms.TypedChoiceField(choices=[("1", "on"), ("0", "off")], coerce=lambda v: v == "1")


@login_required
@require_GET
def duty_page(request):
    user = request.user
    if user.role == Role.COMPLIANCE and not user.is_superuser:
        raise Http404
    team = []
    if can_manage_duty(user):
        admin = user.is_superuser or user.role == Role.ADMIN
        if admin or user.department_id:
            team = agents_with_load(department_id=None if admin else user.department_id)
    # Only an active agent has a row of their own (a superuser agent is also in the team).
    mine = next((agent for agent in team if agent.pk == user.pk), None)
    if mine is None and user.role == Role.AGENT:
        mine = next(iter(agents_with_load(agent_id=user.pk)), None)
    return render(request, "desk/duty.html", {"mine": mine, "team": team})


@login_required
@require_POST
def duty_set(request, user_id: int):
    try:
        agent = access_agent_duty(user=request.user, agent_id=user_id)
    except NotFound:
        raise Http404(_("Agent not found.")) from None
    except TingsuError as exc:
        messages.error(request, exc.message)
        return redirect("desk:duty")
    form = DutyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose on duty or off duty."))
        return redirect("desk:duty")
    on_duty = form.cleaned_data["on_duty"]
    returned = agent_set_on_duty(actor=Actor.staff(request.user), user=agent, on_duty=on_duty)
    if on_duty:
        messages.success(request, _("%(name)s is on duty.") % {"name": agent.label})
    else:
        messages.success(
            request,
            ngettext(
                "%(name)s is off duty; %(count)d new case went back to the pool.",
                "%(name)s is off duty; %(count)d new cases went back to the pool.",
                len(returned),
            )
            % {"name": agent.label, "count": len(returned)},
        )
    return redirect("desk:duty")


urlpatterns = [
    path("duty/", duty_page, name="duty"),
    path("duty/<int:user_id>/", duty_set, name="duty_set"),
]
