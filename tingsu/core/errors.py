"""One error type with a code, rendered everywhere as {"code", "message", "detail"}."""

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    NOT_AUTHENTICATED = "not_authenticated"
    VALIDATION = "validation_error"
    INVALID_TRANSITION = "invalid_transition"
    REOPEN_WINDOW_CLOSED = "reopen_window_closed"
    FIELD_NOT_EDITABLE = "field_not_editable"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"


HTTP_STATUS = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.NOT_AUTHENTICATED: 401,
    ErrorCode.VALIDATION: 422,
    ErrorCode.INVALID_TRANSITION: 409,
    ErrorCode.REOPEN_WINDOW_CLOSED: 409,
    ErrorCode.FIELD_NOT_EDITABLE: 422,
    ErrorCode.CONFLICT: 409,
    ErrorCode.RATE_LIMITED: 429,
}


class TingsuError(Exception):
    """A domain error a user can act on. `message` is translated text for people."""

    def __init__(self, code: ErrorCode, message: str, detail: Any = None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.detail = detail

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.code, 400)

    def as_dict(self) -> dict[str, Any]:
        return {"code": str(self.code), "message": self.message, "detail": self.detail}


class NotFound(TingsuError):
    def __init__(self, message: str = "Not found", detail: Any = None):
        super().__init__(ErrorCode.NOT_FOUND, message, detail)


class ValidationFailed(TingsuError):
    """`detail` maps field names to lists of messages."""

    def __init__(self, message: str, detail: dict[str, list[str]] | None = None):
        super().__init__(ErrorCode.VALIDATION, message, detail or {})
