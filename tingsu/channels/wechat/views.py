from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tingsu.channels.wechat import adapter
from tingsu.channels.wechat.models import WeChatAccount
from tingsu.core.errors import ErrorCode, NotFound, TingsuError

DEFAULT_MAX_BODY = 64 * 1024  # WeChat's messages are a few hundred bytes


def _error(exc: TingsuError) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=exc.http_status)


def _read_body(request: HttpRequest) -> bytes:
    limit = settings.TINGSU.get("WECHAT_MAX_BODY_BYTES", DEFAULT_MAX_BODY)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    body = b"" if declared > limit else request.read(limit + 1)
    if declared > limit or len(body) > limit:
        raise adapter.CallbackRefused(ErrorCode.VALIDATION, _("The message is too large."), 413)
    return body


@csrf_exempt
@require_http_methods(["GET", "POST"])
def callback(request: HttpRequest, account_id: int) -> HttpResponse:
    """The server URL (服务器地址) entered in the 公众号 console."""
    account = WeChatAccount.objects.filter(pk=account_id, is_active=True).first()
    if account is None:
        return _error(NotFound(_("No such WeChat account.")))
    try:
        if request.method == "GET":
            echo = adapter.verify_url(account, request.GET)
            return HttpResponse(echo, content_type="text/plain; charset=utf-8")
        reply = adapter.handle_message(account, request.GET, _read_body(request))
    except TingsuError as exc:
        return _error(exc)
    content_type = "text/plain" if reply == adapter.SUCCESS else "application/xml"
    return HttpResponse(reply, content_type=f"{content_type}; charset=utf-8")
