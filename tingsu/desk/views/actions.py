"""Case page actions. Each view parses one small form and makes one service call."""

from collections.abc import Callable

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tingsu.cases import services
from tingsu.cases.models import Case
from tingsu.cases.permissions import check_staff_can_act, scoped_cases
from tingsu.cases.workflow import Action
from tingsu.core.errors import TingsuError, ValidationFailed
from tingsu.desk import forms
from tingsu.desk.views.common import case_or_404, case_page_context

Perform = Callable[[services.Actor, Case, django_forms.Form], object]


def _run(request, number, *, make_form, perform: Perform, success: str, form_key: str = ""):
    """Scope check, read-only check, form, service call; then redirect or show errors."""
    case = case_or_404(request.user, number)
    try:
        check_staff_can_act(request.user)
    except TingsuError as exc:
        messages.error(request, exc.message)
        return redirect("desk:case", number=case.number)
    form = make_form(case)
    if form.is_valid():
        try:
            perform(services.Actor.staff(request.user), case, form)
        except ValidationFailed as exc:
            _attach_errors(form, exc)
        except TingsuError as exc:
            messages.error(request, exc.message)
            return redirect("desk:case", number=case.number)
        else:
            messages.success(request, success)
            return _back(request, case)
    if not form_key:  # a one-button form has no place for field errors
        for error in (e for errs in form.errors.values() for e in errs):
            messages.error(request, error)
        return redirect("desk:case", number=case.number)
    messages.error(request, _("Please correct the errors below."))
    context = case_page_context(request, case, **{form_key: form})
    return render(request, "desk/case.html", context, status=422)


def _attach_errors(form: django_forms.Form, exc: ValidationFailed) -> None:
    detail = exc.detail if isinstance(exc.detail, dict) else {}
    for field, errors in detail.items():
        form.add_error(field if field in form.fields else None, errors or exc.message)
    if not detail:
        form.add_error(None, exc.message)


def _back(request, case: Case):
    # A transfer can take the case out of this user's scope; then the queue is home.
    if scoped_cases(request.user).filter(pk=case.pk).exists():
        return redirect("desk:case", number=case.number)
    messages.info(request, _("%(number)s is no longer in your view.") % {"number": case.number})
    return redirect("desk:queue")


@login_required
@require_POST
def reply(request, number: str):
    return _run(
        request,
        number,
        make_form=lambda case: forms.ReplyForm(request.POST, request.FILES),
        perform=lambda actor, case, f: services.case_add_message(
            actor=actor,
            case=case,
            body=f.cleaned_data["body"],
            attachments=f.cleaned_data["attachments"],
        ),
        success=_("Reply sent to the customer."),
        form_key="reply_form",
    )


@login_required
@require_POST
def note(request, number: str):
    return _run(
        request,
        number,
        make_form=lambda case: forms.NoteForm(request.POST),
        perform=lambda actor, case, f: services.case_add_note(
            actor=actor, case=case, body=f.cleaned_data["body"]
        ),
        success=_("Internal note added."),
        form_key="note_form",
    )


@login_required
@require_POST
def assign(request, number: str):
    return _run(
        request,
        number,
        make_form=lambda case: forms.AssignForm(request.POST, user=request.user),
        perform=lambda actor, case, f: services.case_assign(
            actor=actor, case=case, assignee=f.cleaned_data["assignee"]
        ),
        success=_("Case assigned."),
        form_key="assign_form",
    )


@login_required
@require_POST
def transfer(request, number: str):
    return _run(
        request,
        number,
        make_form=lambda case: forms.TransferForm(request.POST, case=case),
        perform=lambda actor, case, f: services.case_transfer(
            actor=actor,
            case=case,
            department=f.cleaned_data["department"],
            reason=f.cleaned_data["reason"],
        ),
        success=_("Case transferred."),
        form_key="transfer_form",
    )


@login_required
@require_POST
def update_fields(request, number: str):
    return _run(
        request,
        number,
        make_form=lambda case: forms.CaseFieldsForm(request.POST, case=case),
        perform=lambda actor, case, f: services.case_update_fields(
            actor=actor, case=case, changes=f.changes()
        ),
        success=_("Case details saved."),
        form_key="fields_form",
    )


@login_required
@require_POST
def transition(request, number: str, action: str):
    if action == Action.RESOLVE:
        return _run(
            request,
            number,
            make_form=lambda case: forms.ResolveForm(request.POST),
            perform=lambda actor, case, f: services.case_transition(
                actor=actor, case=case, action=Action.RESOLVE, **_resolve_kwargs(f)
            ),
            success=_("Case resolved."),
            form_key="resolve_form",
        )
    return _run(
        request,
        number,
        make_form=lambda case: forms.ReasonForm(request.POST, action=action),
        perform=lambda actor, case, f: services.case_transition(
            actor=actor, case=case, action=action, reason=f.cleaned_data["reason"]
        ),
        success=_("Status updated."),
    )


def _resolve_kwargs(form: forms.ResolveForm) -> dict:
    d = form.cleaned_data
    return {
        "resolution_code": d["resolution_code"],
        "root_cause": d["root_cause"],
        "summary": d["summary"],
    }
