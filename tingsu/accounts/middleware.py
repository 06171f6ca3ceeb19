"""Session idle timeout and the two-factor gate for admin and compliance roles."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from tingsu.accounts.models import Role

IDLE_KEY = "_tingsu_seen"
REFRESH_SECONDS = 60
# Reachable before the second factor: the 2FA pages themselves, logout, static files,
# language switch, health probe, the API (keys, not sessions) and the customer portal.
OPEN_PREFIXES = (
    "/desk/account/two-factor/",
    "/desk/logout/",
    "/admin/logout/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/api/",
    "/portal/",
    "/channels/",
)


class IdleTimeoutMiddleware:
    """Logs out a session idle for TINGSU_SESSION_IDLE_MINUTES.

    The stamp is rewritten at most once a minute, so most requests write nothing; each
    rewrite also renews the session's expiry (SESSION_COOKIE_AGE is the same window).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(IDLE_KEY)
            if seen is not None and now - seen > settings.TINGSU_SESSION_IDLE_MINUTES * 60:
                logout(request)
                return redirect(f"{reverse('desk:login')}?{urlencode({'next': request.path})}")
            if seen is None or now - seen >= REFRESH_SECONDS:
                request.session[IDLE_KEY] = now
        return self.get_response(request)


TWO_FACTOR_DUE_KEY = "_tingsu_2fa_due"


def two_factor_due(user) -> bool:
    """Whether this user must pass a second factor: always admin, compliance and
    superusers (when enforced), and anyone who enrolled a device."""
    from tingsu.accounts.selectors import user_has_confirmed_device

    if settings.TINGSU_TWO_FACTOR_REQUIRED and user.needs_two_factor:
        return True
    return user_has_confirmed_device(user=user)


def session_started(request, user) -> None:
    """At login (every path: desk, admin, force_login): stamp the idle clock and note
    whether a second factor is due, so later requests need no query to know."""
    request.session[IDLE_KEY] = int(time.time())
    request.session[TWO_FACTOR_DUE_KEY] = two_factor_due(user)


def two_factor_pending(request) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    due = request.session.get(TWO_FACTOR_DUE_KEY) or (
        settings.TINGSU_TWO_FACTOR_REQUIRED and user.needs_two_factor
    )
    return bool(due) and not user.is_verified()


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(OPEN_PREFIXES) and two_factor_pending(request):
            target = reverse("accounts:two_factor_verify")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class ComplianceReadOnlyAdminMiddleware:
    """Separation of duties: the compliance role audits and configures nothing, so the
    admin refuses any change from it, whatever permissions it was given."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            request.method not in ("GET", "HEAD", "OPTIONS")
            and request.path.startswith("/admin/")
            and not request.path.startswith(("/admin/login/", "/admin/logout/"))
            and user.is_authenticated
            and user.role == Role.COMPLIANCE
            and not user.is_superuser
        ):
            raise PermissionDenied
        return self.get_response(request)
