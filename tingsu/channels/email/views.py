import hmac

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tingsu.channels.email.intake import email_receive
from tingsu.core.errors import ErrorCode, NotFound, TingsuError, ValidationFailed


def _error(exc: TingsuError) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=exc.http_status)


def _token_ok(request: HttpRequest, expected: str) -> bool:
    given = request.headers.get("X-Tingsu-Token", "")
    return hmac.compare_digest(given.encode(), expected.encode())


@csrf_exempt
@require_POST
def inbound(request: HttpRequest) -> JsonResponse:
    """A raw MIME message (Content-Type: message/rfc822) from a mail server's pipe."""
    expected = settings.TINGSU.get("EMAIL_WEBHOOK_TOKEN", "")
    if not expected:
        return _error(NotFound(_("Not found.")))
    if not _token_ok(request, expected):
        return _error(TingsuError(ErrorCode.NOT_AUTHENTICATED, _("Invalid token.")))
    # One byte over the limit is enough for the parser to reject it, and the record keeps
    # what was read: the sender gets an answer and the message is not lost silently.
    limit = int(settings.TINGSU.get("EMAIL_MAX_BYTES", 25 * 1024 * 1024))
    raw = request.read(limit + 1)
    if not raw.strip():
        return _error(ValidationFailed(_("The message is empty."), {"body": [_("Empty.")]}))
    result = email_receive(raw)
    return JsonResponse(
        {"outcome": result.outcome, "case_number": result.case_number, "reason": result.reason},
        status=201 if result.outcome == "created" else 200,
    )
