"""Input types shared by API schemas.

Strings and JSON are checked before they reach the database: PostgreSQL refuses NUL
characters and SQLite/PostgreSQL both refuse lone surrogates, which would otherwise
surface as a 500 instead of a 422.
"""

import json
import math
from datetime import date
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field

from tingsu.core.validators import has_line_break, line_break_message

MAX_CUSTOM_FIELDS_CHARS = 10_000


def clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError(_("Text may not contain NUL characters."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("Text must be valid Unicode.")) from None
    return value


def _check_json(value: Any, depth: int = 0) -> None:
    if depth > 10:
        raise ValueError(_("Custom fields are nested too deeply."))
    if isinstance(value, str):
        clean_text(value)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError(_("Numbers must be finite."))
    elif isinstance(value, dict):
        for k, v in value.items():
            clean_text(str(k))
            _check_json(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _check_json(v, depth + 1)


def clean_json_object(value: dict[str, Any]) -> dict[str, Any]:
    _check_json(value)
    if len(json.dumps(value, ensure_ascii=False)) > MAX_CUSTOM_FIELDS_CHARS:
        raise ValueError(
            _("Custom fields may hold at most %(n)d characters of JSON.")
            % {"n": MAX_CUSTOM_FIELDS_CHARS}
        )
    return value


def clean_email(value: str) -> str:
    value = value.strip()
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError(_("Enter a valid email address.")) from None
    return value


def Text(max_length: int, min_length: int = 0):  # noqa: N802 - reads as a type
    return Annotated[
        str, Field(min_length=min_length, max_length=max_length), AfterValidator(clean_text)
    ]


def clean_line(value: str) -> str:
    if has_line_break(value):
        raise ValueError(line_break_message())
    return value


def Line(max_length: int, min_length: int = 0):  # noqa: N802 - reads as a type
    """One line of text: it may end up in an email header, so line breaks are refused."""
    return Annotated[
        str,
        Field(min_length=min_length, max_length=max_length),
        AfterValidator(clean_text),
        AfterValidator(clean_line),
    ]


Email = Annotated[
    str, Field(max_length=254), AfterValidator(clean_text), AfterValidator(clean_email)
]
JsonObject = Annotated[dict[str, Any], AfterValidator(clean_json_object)]
Code = Annotated[str, Field(min_length=1, max_length=60), AfterValidator(clean_text)]
# Dates outside this range cannot be turned into aware datetimes safely.
FilterDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2999, 12, 31))]
CASE_NUMBER_PATTERN = r"^[A-Za-z0-9-]{1,24}$"
