"""What our signed JSON webhooks (CTI here, SMS in channels_sms) share: the secret check,
the signature, the JSON body, field parsing, and our JSON error shape."""

import json
import logging
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from tingsu.channels.phone.signing import SignatureError, verify_request
from tingsu.core.errors import ErrorCode, TingsuError, ValidationFailed
from tingsu.customers.phones import phone_normalise

logger = logging.getLogger("tingsu.channels.webhook")


class Refused(Exception):
    """The request is refused with this response."""

    def __init__(self, response: JsonResponse):
        super().__init__(response.status_code)
        self.response = response


def json_error(exc: TingsuError, status: int | None = None) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=status or exc.http_status)


def signed_json(request: HttpRequest, *, secret_setting: str) -> dict[str, Any]:
    """The request's JSON object, once its signature checks out.

    No secret configured: the endpoint does not exist (404). Bad or stale signature: 401.
    Not a JSON object: 400.
    """
    secret = settings.TINGSU.get(secret_setting) or ""
    if not secret:
        raise Http404
    try:
        body = verify_request(request, secret)
    except RequestDataTooBig:
        raise Refused(
            json_error(TingsuError(ErrorCode.VALIDATION, _("The request is too large.")), 413)
        ) from None
    except SignatureError as exc:
        logger.warning("Refused a webhook to %s: %s", request.path, exc)
        raise Refused(
            json_error(
                TingsuError(ErrorCode.NOT_AUTHENTICATED, _("The request signature is not valid.")),
                401,
            )
        ) from None
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise Refused(json_error(ValidationFailed(_("The body must be a JSON object.")), 400))
    return data


class PayloadReader:
    """Reads the fields of a webhook payload and collects every error before refusing."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def _fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def text(self, name: str, *, required: bool = True, max_length: int = 255) -> str:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self._fail(name, _("This field is required."))
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int):
            self._fail(name, _("Expected a string."))
            return ""
        value = str(value).strip()
        if required and not value:
            self._fail(name, _("This field is required."))
        if len(value) > max_length:
            self._fail(name, _("At most %(n)d characters.") % {"n": max_length})
            return ""
        return value

    def phone(self, name: str) -> str:
        """A phone number in its canonical form; it must have digits to call back."""
        raw = self.text(name, max_length=32)
        value = phone_normalise(raw)
        if raw and not value:
            self._fail(name, _("Expected a phone number."))
        return value

    def integer(self, name: str, *, minimum: int = 0, maximum: int = 10**9) -> int:
        value = self.data.get(name)
        if value is None:
            self._fail(name, _("This field is required."))
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            self._fail(name, _("Expected a whole number."))
            return 0
        if not minimum <= value <= maximum:
            self._fail(
                name,
                _("Expected a number from %(min)d to %(max)d.") % {"min": minimum, "max": maximum},
            )
            return 0
        return value

    def moment(self, name: str) -> datetime | None:
        """An ISO 8601 date and time; without an offset it is read in our time zone."""
        raw = self.text(name)
        if not raw:
            return None
        try:
            value = parse_datetime(raw)
        except ValueError:
            value = None
        if value is None:
            self._fail(name, _("Expected an ISO 8601 date and time."))
            return None
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value

    def url(self, name: str) -> str:
        value = self.text(name, required=False, max_length=1000)
        parts = urlsplit(value)
        if value and (parts.scheme not in ("http", "https") or not parts.netloc):
            self._fail(name, _("Expected an http or https URL."))
            return ""
        return value

    def check(self) -> None:
        if self.errors:
            raise ValidationFailed(_("The payload is not valid."), self.errors)
