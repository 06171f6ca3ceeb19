"""Customer portal pages. Every page about a case goes through access_case_by_token: the
case number alone is never enough, and a wrong token looks exactly like a missing case."""

import uuid
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tingsu.cases.attachments import attachment_response
from tingsu.cases.models import Case, Channel, Status
from tingsu.cases.permissions import access_public_attachment
from tingsu.cases.selectors import case_timeline
from tingsu.cases.services import Actor, case_add_message, case_create, case_transition
from tingsu.cases.workflow import Action
from tingsu.core.errors import NotFound, TingsuError
from tingsu.customers.services import customer_resolve
from tingsu.portal.forms import AddInfoForm, ComplaintForm, ReopenForm, TrackForm, WithdrawForm
from tingsu.portal.presentation import (
    can_add_info,
    can_reopen,
    progress_steps,
    status_badge,
    timeline_entries,
    tracking_url,
)
from tingsu.portal.throttle import RateLimited, portal_access_case

FINISHED = (Status.RESOLVED, Status.CLOSED)


def _not_found(request):
    return render(request, "portal/not_found.html", status=404)


def _rate_limited(request, form, exc: RateLimited):
    if not form.is_bound:
        form.cleaned_data = {}  # an unbound form can carry a message too
    form.add_error(None, exc.message)
    response = render(request, "portal/home.html", {"track_form": form}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def with_case(view):
    """Resolve the case from the URL's number and the `t` query parameter, or 404."""

    @wraps(view)
    def wrapper(request, number, *args, **kwargs):
        try:
            case = portal_access_case(request, number=number, token=request.GET.get("t", ""))
        except RateLimited as exc:
            return _rate_limited(request, TrackForm(initial={"number": number}), exc)
        except NotFound:
            return _not_found(request)
        return view(request, case, *args, **kwargs)

    return wrapper


def _apply_errors(form, exc: TingsuError) -> None:
    """Put a service error on the form fields it names, or on the form as a whole."""
    detail = exc.detail if isinstance(exc.detail, dict) else {}
    placed = False
    for name, errors in detail.items():
        if name in form.fields and errors:
            form.add_error(name, errors if isinstance(errors, list) else [str(errors)])
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@require_http_methods(["GET", "POST"])
def home(request):
    form = TrackForm(request.POST or None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = portal_access_case(request, number=data["number"], token=data["token"])
        except RateLimited as exc:
            return _rate_limited(request, form, exc)
        except NotFound as exc:
            form.add_error(None, exc.message)
            return render(request, "portal/home.html", {"track_form": form}, status=404)
        return redirect(tracking_url(case))
    return render(request, "portal/home.html", {"track_form": form})


def _file_complaint(form: ComplaintForm) -> Case | None:
    """Customer and case are saved together or not at all."""
    data = form.cleaned_data
    try:
        with transaction.atomic():
            customer = customer_resolve(name=data["name"], phone=data["phone"], email=data["email"])
            case, _created = case_create(
                actor=Actor.customer(customer),
                customer=customer,
                channel=Channel.PORTAL,
                subject=data["subject"],
                description=data["description"],
                category=data["category"],
                order_number=data["order_number"],
                attachments=data["attachments"],
                idempotency_key=f"portal-{data['idempotency_key']}",
                # As the API: the customer has the number at once, the worker does the rest.
                defer_processing=settings.TINGSU["INTAKE_DEFERRED"],
            )
    except TingsuError as exc:
        _apply_errors(form, exc)
        return None
    return case


@require_http_methods(["GET", "POST"])
def new(request):
    if request.method == "GET":
        form = ComplaintForm(initial={"idempotency_key": uuid.uuid4()})
        return render(request, "portal/new.html", {"form": form})
    form = ComplaintForm(request.POST, request.FILES)
    if form.is_valid():
        case = _file_complaint(form)
        if case is not None:
            # A resubmitted form finds the same case and lands on the same page.
            return redirect(tracking_url(case, name="portal:submitted"))
    return render(request, "portal/new.html", {"form": form})


@never_cache
@require_GET
@with_case
def submitted(request, case):
    link = request.build_absolute_uri(tracking_url(case))
    return render(
        request,
        "portal/submitted.html",
        {"case": case, "tracking_link": link, "tracking_path": tracking_url(case)},
    )


def _track_context(case: Case, **extra) -> dict:
    badge, badge_colour = status_badge(case)
    merged_url = ""
    if case.status == Status.MERGED and case.merged_into_id:
        into = case.merged_into
        merged_url = tracking_url(into) if into.customer_id == case.customer_id else ""
    return {
        "case": case,
        "token": case.access_token(),
        "badge": badge,
        "badge_colour": badge_colour,
        "steps": progress_steps(case),
        "entries": timeline_entries(case_timeline(case=case, public_only=True)),
        "merged_url": merged_url,
        "resolution": case.resolution_summary if case.status in FINISHED else "",
        "can_add_info": can_add_info(case),
        "can_reopen": can_reopen(case),
        "can_withdraw": case.is_open,
        "add_form": AddInfoForm(),
        "reopen_form": ReopenForm(),
        "withdraw_form": WithdrawForm(),
        **extra,
    }


@never_cache
@require_GET
@with_case
def track(request, case):
    return render(request, "portal/track.html", _track_context(case))


@require_POST
@with_case
def add_info(request, case):
    form = AddInfoForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actor = Actor.customer(case.customer)
            case_add_message(
                actor=actor, case=case, body=data["body"], attachments=data["attachments"]
            )
        except TingsuError as exc:
            _apply_errors(form, exc)
    ok = form.is_valid()
    case.refresh_from_db()
    if request.htmx:
        ctx = _track_context(case, add_form=AddInfoForm() if ok else form, added=ok)
        return render(request, "portal/partials/_activity.html", ctx)
    if not ok:
        return render(request, "portal/track.html", _track_context(case, add_form=form))
    messages.success(request, _("Thank you. Your information has been added to the case."))
    return redirect(tracking_url(case))


def _customer_transition(request, case: Case, action: Action, reason: str, done: str) -> None:
    try:
        case_transition(
            actor=Actor.customer(case.customer), case=case, action=action, reason=reason
        )
    except TingsuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)


@require_POST
@with_case
def reopen(request, case):
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(tracking_url(case))
    done = _("Your complaint has been reopened. We will be in touch soon.")
    _customer_transition(request, case, Action.REOPEN, form.cleaned_data["reason"], done)
    return redirect(tracking_url(case))


@require_POST
@with_case
def withdraw(request, case):
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(tracking_url(case))
    done = _("Your complaint has been withdrawn.")
    _customer_transition(request, case, Action.WITHDRAW, form.cleaned_data["reason"], done)
    return redirect(tracking_url(case))


@never_cache
@require_GET
@with_case
def attachment(request, case, attachment_id: int):
    """Only the public attachments of this case, on public timeline entries."""
    try:
        att = access_public_attachment(case=case, attachment_id=attachment_id)
    except NotFound:
        return _not_found(request)
    try:
        return attachment_response(att, inline_allowed=True)
    except FileNotFoundError:
        return _not_found(request)
