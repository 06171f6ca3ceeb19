"""Desk: an agent applies the classifier's suggestion (one button on the case page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tingsu.cases.permissions import check_staff_can_act
from tingsu.cases.services import Actor
from tingsu.core.errors import TingsuError
from tingsu.desk.views.common import case_or_404
from tingsu.triage.learning.services import triage_apply_suggestion


@login_required
@require_POST
def apply_suggestion(request, number: str, pk: int):
    case = case_or_404(request.user, number)
    try:
        check_staff_can_act(request.user)
        triage_apply_suggestion(actor=Actor.staff(request.user), case=case, prediction_id=pk)
    except TingsuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Suggestion applied."))
    return redirect("desk:case", number=case.number)
