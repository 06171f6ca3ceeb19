"""Every API error leaves in one shape: {"code", "message", "detail"}."""

import logging
from typing import Any

from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tingsu.api.parser import DuplicateKeyError
from tingsu.core.errors import ErrorCode, TingsuError

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    code: str
    message: str
    detail: Any = None


# Declared on every operation so the schema documents the error shape.
AUTH_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 429: ErrorOut}
INPUT_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 422: ErrorOut}

STATUS_CODES = {
    400: "bad_request",
    401: str(ErrorCode.NOT_AUTHENTICATED),
    403: str(ErrorCode.PERMISSION_DENIED),
    404: str(ErrorCode.NOT_FOUND),
    409: str(ErrorCode.CONFLICT),
    422: str(ErrorCode.VALIDATION),
    429: str(ErrorCode.RATE_LIMITED),
}


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, detail: Any = None
) -> HttpResponse:
    body = {"code": code, "message": str(message), "detail": detail}
    return api.create_response(request, body, status=status)


def _clean_pydantic_error(error: dict[str, Any]) -> dict[str, Any]:
    # Only what a client needs; ctx may hold objects that are not JSON.
    return {"loc": list(error.get("loc", ())), "msg": error.get("msg", ""), "type": error["type"]}


def register_error_handlers(api: NinjaAPI) -> None:
    def on_tingsu_error(request: HttpRequest, exc: TingsuError) -> HttpResponse:
        response = api.create_response(request, exc.as_dict(), status=exc.http_status)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            response["Retry-After"] = str(retry_after)
        return response

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [_clean_pydantic_error(e) for e in exc.errors]
        # A field the caller may not set is refused by name, not silently dropped.
        refused = sorted(
            str(e["loc"][-1])
            for e in errors
            if e["type"] == "extra_forbidden" and e["loc"] and e["loc"][0] == "body"
        )
        if refused:
            return error_response(
                api,
                request,
                422,
                str(ErrorCode.FIELD_NOT_EDITABLE),
                _("These fields cannot be changed here: %(fields)s")
                % {"fields": ", ".join(refused)},
                {f: [_("This field cannot be changed.")] for f in refused},
            )
        return error_response(
            api,
            request,
            422,
            str(ErrorCode.VALIDATION),
            _("The request is not valid."),
            errors,
        )

    def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            api,
            request,
            401,
            str(ErrorCode.NOT_AUTHENTICATED),
            _("Send a valid API key as “Authorization: Bearer tsk_…”, or log in."),
        )

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = STATUS_CODES.get(exc.status_code, "error")
        if isinstance(exc.__cause__, DuplicateKeyError):
            key = exc.__cause__.key
            message = _("The JSON key “%(name)s” appears more than once.") % {"name": key}
            return error_response(api, request, 400, code, message, {"key": key})
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            return error_response(api, request, 400, code, _("The body is not valid JSON."))
        return error_response(api, request, exc.status_code, code, exc.message)

    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        # Django's request limits (DATA_UPLOAD_MAX_NUMBER_FIELDS, _MEMORY_SIZE, ...).
        if isinstance(exc, RequestDataTooBig):
            message = _("The request body is too large.")
        elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
            message = _("The request has too many fields or files.")
        else:
            message = _("The request was refused.")
        return error_response(api, request, 400, "bad_request", message)

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, str(ErrorCode.NOT_FOUND), _("Not found."))

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled API error on %s %s", request.method, request.path)
        return error_response(
            api, request, 500, "server_error", _("Something went wrong on our side.")
        )

    api.add_exception_handler(TingsuError, on_tingsu_error)
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(SuspiciousOperation, on_suspicious)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(Exception, on_unexpected)


def unknown_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any path under /api/v1/ that no endpoint matches: our JSON 404, not Django's HTML."""
    from tingsu.api.api import api

    return error_response(
        api, request, 404, str(ErrorCode.NOT_FOUND), _("No such API endpoint."), {"path": rest}
    )
