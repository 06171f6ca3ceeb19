"""What the desk views share: the 404 for cases out of scope and the case page context."""

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from tingsu.accounts.models import User
from tingsu.cases.models import Case, Tag
from tingsu.cases.permissions import access_case, check_staff_can_act
from tingsu.cases.selectors import (
    CaseConfiguration,
    case_attach_configuration,
    case_configuration,
    case_page_queryset,
    case_staff_timeline,
    customer_case_count,
    customer_other_cases,
)
from tingsu.cases.workflow import ACTIVE_STATUSES, FINAL_STATUSES, Action, available_actions
from tingsu.core.errors import NotFound, TingsuError
from tingsu.desk import forms
from tingsu.privacy.permissions import user_can_reveal_pii, user_sees_pii
from tingsu.privacy.services import pii_case_viewed_unmasked


def case_or_404(user: User, number: str) -> Case:
    try:
        return access_case(user=user, number=number)
    except NotFound:
        raise Http404(_("Case not found.")) from None


def case_page_or_404(user: User, number: str) -> Case:
    """The case as the case page reads it: the row with what its header and customer
    panel show (case_page_context adds the configuration it refers to)."""
    try:
        return access_case(user=user, number=number, queryset=case_page_queryset())
    except NotFound:
        raise Http404(_("Case not found.")) from None


def can_act(user: User) -> bool:
    try:
        check_staff_can_act(user)
    except TingsuError:
        return False
    return True


def case_page_context(request: HttpRequest, case: Case, **bound_forms) -> dict:
    """Everything the case page shows; `bound_forms` replace blank forms to show errors."""
    user = request.user
    # The header and the fields form both list the tags: load them once.
    prefetch_related_objects([case], Prefetch("tags", queryset=Tag.objects.order_by("name")))
    configuration = case_configuration()
    case_attach_configuration(case=case, configuration=configuration)
    count = getattr(case, "customer_case_count", None)  # case_page_queryset reads it
    ctx = {
        "case": case,
        "timeline": case_staff_timeline(case=case),
        "other_cases": customer_other_cases(user=user, case=case),
        "customer_case_count": customer_case_count(case=case) if count is None else count,
        "read_only": not can_act(user),
        # Contact data and free text are masked unless the user is cleared (or reveals).
        "pii_clear": user_sees_pii(user),
        "can_reveal_pii": user_can_reveal_pii(user),
    }
    if ctx["pii_clear"]:
        pii_case_viewed_unmasked(actor=user, case=case)
    if ctx["read_only"]:
        return ctx
    actions = available_actions(case.status)
    ctx.update(
        is_active=case.status in ACTIVE_STATUSES,
        is_editable=case.status not in FINAL_STATUSES,
        transitions=[t for t in actions if t.action != Action.RESOLVE],
        can_resolve=any(t.action == Action.RESOLVE for t in actions),
    )
    ctx.update(_blank_forms(ctx, user=user, case=case, configuration=configuration))
    ctx.update(bound_forms)
    return ctx


def _blank_forms(ctx: dict, *, user: User, case: Case, configuration: CaseConfiguration) -> dict:
    """The forms the page shows, as the template's conditions decide; their configuration
    selects list the cached configuration's rows."""
    editable, active, resolvable = ctx["is_editable"], ctx["is_active"], ctx["can_resolve"]
    options = forms.config_options(configuration) if editable or active or resolvable else None
    blank = {}
    if editable:
        blank.update(
            reply_form=forms.ReplyForm(),
            note_form=forms.NoteForm(),
            fields_form=forms.CaseFieldsForm(case=case, options=options),
        )
    if active:
        blank.update(
            assign_form=forms.AssignForm(user=user),
            transfer_form=forms.TransferForm(case=case, options=options),
        )
    if resolvable:
        blank["resolve_form"] = forms.ResolveForm(options=options)
    return blank
