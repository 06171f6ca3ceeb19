"""The SMS inbound webhook: signature first, our JSON error shape on bad input."""

import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tingsu.channels.phone.webhook import Refused, json_error, signed_json
from tingsu.channels.sms.inbound import sms_parse, sms_receive
from tingsu.core.errors import TingsuError

logger = logging.getLogger("tingsu.channels.sms")


@csrf_exempt
@require_POST
def sms_inbound_webhook(request):
    try:
        data = signed_json(request, secret_setting="SMS_SECRET")
    except Refused as refused:
        return refused.response
    try:
        sms = sms_parse(data)
    except TingsuError as exc:
        return json_error(exc, 400)
    try:
        result = sms_receive(sms=sms)
    except TingsuError as exc:
        logger.info("SMS %s refused: %s", sms.message_id, exc.message)
        return json_error(exc)
    return JsonResponse(result.as_dict())
