"""Who is calling: a staff API key (`Authorization: Bearer tsk_…`) or a logged-in staff
session (people trying the interactive docs). Each operation names the scope it needs."""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from tingsu.accounts.models import ApiKey, ApiKeyScope, User
from tingsu.accounts.selectors import api_key_authenticate
from tingsu.cases.permissions import is_staff_actor
from tingsu.core.errors import ErrorCode, TingsuError

ALL_SCOPES = frozenset(ApiKeyScope.values)
# Scopes that read or change existing cases need a user whose data scope applies.
DATA_SCOPES = frozenset({ApiKeyScope.READ, ApiKeyScope.WRITE})


@dataclass(frozen=True)
class ApiPrincipal:
    user: User | None
    scopes: frozenset[str]
    key: ApiKey | None = None

    @property
    def label(self) -> str:
        if self.key is not None:
            return f"api-key:{self.key.prefix}"
        return f"session:{self.user.pk}" if self.user else "anonymous"


class RateLimited(TingsuError):
    def __init__(self, retry_after: int):
        super().__init__(
            ErrorCode.RATE_LIMITED,
            _("Too many requests for this API key; try again in %(s)d seconds.")
            % {"s": retry_after},
            {"retry_after": retry_after},
        )
        self.retry_after = retry_after


def check_rate_limit(key: ApiKey) -> None:
    """A fixed one-minute window per key, counted in the shared cache."""
    now = time.time()
    window = int(now // 60)
    cache_key = f"tingsu:api-rate:{key.prefix}:{window}"
    cache.add(cache_key, 0, timeout=120)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=120)
        count = 1
    if count > key.rate_limit_per_minute:
        raise RateLimited(retry_after=max(1, 60 - int(now % 60)))


def _require_scope(principal: ApiPrincipal, scope: str) -> ApiPrincipal:
    if scope not in principal.scopes:
        raise TingsuError(
            ErrorCode.PERMISSION_DENIED,
            _("This API key lacks the “%(scope)s” scope.") % {"scope": scope},
            {"required_scope": scope},
        )
    if scope in DATA_SCOPES and not is_staff_actor(principal.user):
        raise TingsuError(
            ErrorCode.PERMISSION_DENIED,
            _("This API key does not act as a staff user, so it cannot read or change cases."),
        )
    return principal


class ApiKeyAuth(HttpBearer):
    openapi_bearerFormat = "tsk_…"  # noqa: N815 - OpenAPI's name
    openapi_description = (
        "A staff API key: `Authorization: Bearer tsk_…`. Its scopes (intake, read, write) "
        "limit the operations; reads and writes use the data scope of the user it acts as."
    )

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> ApiPrincipal | None:
        key = api_key_authenticate(raw=token.strip())
        if key is None:
            return None
        check_rate_limit(key)
        principal = ApiPrincipal(user=key.user, scopes=frozenset(key.scopes), key=key)
        return _require_scope(principal, self.scope)


class StaffSessionAuth(APIKeyCookie):
    """Django's session, checked for CSRF only once a session user is present, so a
    request with neither key nor session gets 401 rather than a CSRF failure."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "A logged-in staff session (for the interactive docs); needs CSRF."

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> ApiPrincipal | None:
        user = getattr(request, "user", None)
        if not is_staff_actor(user):
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("CSRF check failed."))
        return self.authenticate(request, None)

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiPrincipal | None:
        return _require_scope(ApiPrincipal(user=request.user, scopes=ALL_SCOPES), self.scope)


def auth_for(scope: ApiKeyScope) -> list:
    return [ApiKeyAuth(scope), StaffSessionAuth(scope)]


def principal_of(request: HttpRequest) -> ApiPrincipal:
    return request.auth  # type: ignore[attr-defined]
