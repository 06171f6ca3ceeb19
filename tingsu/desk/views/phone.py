"""Phone work at the desk: taking a complaint on the phone (with a caller look-up) and the
call-backs the CTI left for calls without a transcript."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tingsu.channels.phone.forms import PhoneComplaintForm
from tingsu.channels.phone.selectors import access_callback, callback_list, caller_lookup
from tingsu.channels.phone.services import callback_done, phone_complaint_create
from tingsu.core.errors import NotFound, TingsuError, ValidationFailed
from tingsu.desk.views.actions import _attach_errors
from tingsu.desk.views.common import can_act
from tingsu.privacy.services import pii_search_by_phone


def _callback_or_404(user, pk):
    try:
        return access_callback(user=user, pk=int(pk))
    except (NotFound, TypeError, ValueError):
        raise Http404(_("Call-back not found.")) from None


@login_required
@require_http_methods(["GET", "POST"])
def phone_new(request):
    if request.method == "GET":
        callback = None
        if request.GET.get("callback"):
            callback = _callback_or_404(request.user, request.GET["callback"])
        caller = callback.caller if callback else request.GET.get("caller", "")
        initial = {"caller": caller, "callback": callback.pk if callback else None}
        if callback and callback.customer:
            initial["name"] = callback.customer.name
        info = _lookup(request, caller)
        return _render(request, PhoneComplaintForm(initial=initial), info)
    form = PhoneComplaintForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        callback = _callback_or_404(request.user, data["callback"]) if data["callback"] else None
        try:
            case = phone_complaint_create(
                user=request.user,
                caller=data["caller"],
                name=data["name"],
                description=data["description"],
                category=data["category"],
                severity=data["severity"],
                order_number=data["order_number"],
                idempotency_key=data["idempotency_key"],
                callback=callback,
            )
        except ValidationFailed as exc:
            _attach_errors(form, exc)
        except TingsuError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Case %(number)s created.") % {"number": case.number})
            return redirect("desk:case", number=case.number)
    info = caller_lookup(user=request.user, phone=request.POST.get("caller", ""))
    return _render(request, form, info, status=422)


def _lookup(request, caller: str):
    """Who is calling; a search by phone number, so it is audited (masked number only)."""
    if not caller:
        return None
    info = caller_lookup(user=request.user, phone=caller)
    found = 1 if info.customer else 0
    pii_search_by_phone(actor=request.user, phone=caller, where="desk.phone", results=found)
    return info


def _render(request, form, info, status=200):
    context = {"form": form, "info": info, "read_only": not can_act(request.user)}
    return render(request, "desk/phone_new.html", context, status=status)


@login_required
@require_GET
def phone_lookup(request):
    """The htmx look-up: the customer holding this number, their open cases and tier."""
    caller = request.GET.get("caller", "").strip()[:32]
    return render(request, "phone/_caller.html", {"info": _lookup(request, caller)})


@login_required
@require_GET
def callbacks(request):
    tasks = list(callback_list(user=request.user)[:200])
    context = {"tasks": tasks, "now": timezone.now(), "read_only": not can_act(request.user)}
    return render(request, "phone/callbacks.html", context)


@login_required
@require_POST
def callback_mark_done(request, pk: int):
    task = _callback_or_404(request.user, pk)
    try:
        callback_done(user=request.user, task=task)
    except TingsuError as exc:
        messages.error(request, exc.message)
    else:
        done = _("Call-back to %(caller)s marked done.") % {"caller": task.caller}
        messages.success(request, done)
    return redirect("desk:callbacks")


urlpatterns = [
    path("phone/new/", phone_new, name="phone_new"),
    path("phone/lookup/", phone_lookup, name="phone_lookup"),
    path("callbacks/", callbacks, name="callbacks"),
    path("callbacks/<int:pk>/done/", callback_mark_done, name="callback_done"),
]
