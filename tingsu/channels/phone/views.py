"""The CTI webhook: a plain Django view, signature first, our JSON error shape on bad input."""

import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tingsu.channels.phone.cti import cti_call_parse
from tingsu.channels.phone.services import cti_call_receive
from tingsu.channels.phone.webhook import Refused, json_error, signed_json
from tingsu.core.errors import TingsuError

logger = logging.getLogger("tingsu.channels.phone")


@csrf_exempt
@require_POST
def cti_webhook(request):
    try:
        data = signed_json(request, secret_setting="CTI_SECRET")
    except Refused as refused:
        return refused.response
    try:
        call = cti_call_parse(data)
    except TingsuError as exc:
        return json_error(exc, 400)
    try:
        result = cti_call_receive(call=call)
    except TingsuError as exc:
        logger.info("CTI call %s refused: %s", call.call_id, exc.message)
        return json_error(exc)
    return JsonResponse(result.as_dict())
