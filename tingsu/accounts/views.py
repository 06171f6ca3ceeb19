"""Staff account pages: the two-factor step after login, enrolment, and the lock-out page."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token

from tingsu.accounts import two_factor
from tingsu.accounts.middleware import TWO_FACTOR_DUE_KEY
from tingsu.accounts.selectors import user_has_confirmed_device
from tingsu.core.errors import TingsuError


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=gettext_lazy("Code"),
        regex=r"^\s*\d{6,8}\s*$",
        error_messages={"invalid": gettext_lazy("Enter the 6-digit code.")},
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("desk:queue")


def _with_next(name: str, request) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next_url(request)})}"


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The second step of login: a code from the enrolled authenticator."""
    if not user_has_confirmed_device(user=request.user):
        return redirect(_with_next("accounts:two_factor_setup", request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].strip())
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", _("That code is not right, or was already used."))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Enrol an authenticator app: scan the QR code, then confirm with one code."""
    if user_has_confirmed_device(user=request.user) and not request.user.is_verified():
        # Replacing a device needs the old one first.
        return redirect(_with_next("accounts:two_factor_verify", request))
    device = two_factor.two_factor_device_start(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.two_factor_device_confirm(
                user=request.user, token=form.cleaned_data["token"]
            )
        except TingsuError as exc:
            form.add_error("token", exc.message)
        else:
            otp_login(request, device)
            request.session[TWO_FACTOR_DUE_KEY] = True
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": _next_url(request),
            "qr": two_factor.device_qr_data_uri(device),
            "secret": two_factor.device_secret_base32(device),
        },
    )


@login_required
@require_http_methods(["GET"])
def security(request):
    return render(
        request,
        "accounts/security.html",
        {"enrolled": user_has_confirmed_device(user=request.user)},
    )


@login_required
@require_POST
def two_factor_off(request):
    try:
        two_factor.two_factor_disable(user=request.user)
    except TingsuError as exc:
        messages.error(request, exc.message)
    else:
        request.session[TWO_FACTOR_DUE_KEY] = False
        messages.success(request, _("Two-factor authentication is off."))
    return redirect("accounts:security")


def locked_out(request, credentials, *args, **kwargs):
    """django-axes' answer to a locked-out login (desk or admin): the login page, 429."""
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    form.cleaned_data = {}  # an unbound form can carry a message too
    form.add_error(
        None,
        _(
            "Too many failed logins. This account is locked for %(minutes)d minutes "
            "from your address; try again later or ask an administrator."
        )
        % {"minutes": round(_cooloff_minutes())},
    )
    return render(
        request,
        "desk/login.html",
        {"form": form, "next": request.POST.get("next", "")},
        status=429,
    )


def _cooloff_minutes() -> float:
    from django.conf import settings

    return float(settings.AXES_COOLOFF_TIME) * 60
