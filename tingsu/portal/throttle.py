"""Portal look-ups are throttled per client IP and per case number.

A customer's way in is the case number plus a secret token; guessing tokens (or trying a
number with an email address, which is never enough) is slowed down by counting failed
look-ups in Django's cache. Past `TINGSU["PORTAL_LOOKUP_RATE"]` ("count/seconds") failures
from one IP or against one case number, every look-up from that IP / for that number is
refused with 429 until the window ends, whether its token is right or not (so a 429 says
nothing about the token).
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from tingsu.audit.middleware import client_ip
from tingsu.cases.models import Case
from tingsu.cases.permissions import access_case_by_token
from tingsu.core.errors import ErrorCode, NotFound, TingsuError


class RateLimited(TingsuError):
    def __init__(self, retry_after: int):
        super().__init__(
            ErrorCode.RATE_LIMITED,
            _("Too many attempts. Please wait %(minutes)d minutes and try again.")
            % {"minutes": max(1, round(retry_after / 60))},
            {"retry_after": retry_after},
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def lookup_rate() -> Rate:
    count, _sep, seconds = str(settings.TINGSU["PORTAL_LOOKUP_RATE"]).partition("/")
    return Rate(count=int(count), seconds=int(seconds or 60))


def _key(kind: str, value: str) -> str:
    # Hashed: the number is user input, and cache backends limit key characters.
    return f"portal-lookup:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _keys(request, number: str) -> list[str]:
    keys = [_key("number", number.strip().upper())]
    ip = client_ip(request)
    if ip:
        keys.append(_key("ip", ip))
    return keys


def _check(keys: list[str], rate: Rate) -> None:
    counts = cache.get_many(keys)
    if any(n >= rate.count for n in counts.values()):
        raise RateLimited(rate.seconds)


def _count_failure(keys: list[str], rate: Rate) -> None:
    for key in keys:
        # add() starts the window only once; incr() keeps its expiry.
        cache.add(key, 0, timeout=rate.seconds)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=rate.seconds)


def portal_access_case(request, *, number: str, token: str) -> Case:
    """access_case_by_token behind the look-up throttle. Raises RateLimited or NotFound."""
    rate = lookup_rate()
    keys = _keys(request, number)
    _check(keys, rate)
    try:
        return access_case_by_token(number=number, token=token)
    except NotFound:
        _count_failure(keys, rate)
        raise
