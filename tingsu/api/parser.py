"""The API's request parser: parameter pollution is refused, not silently resolved.

Django and the default JSON parser keep the last of two values (`?token=a&token=b`,
`{"body": "a", "body": "b"}`), so a proxy or a validator that read the first one sees
something other than what the endpoint acts on. Here a repeated JSON key, or a repeated
query/form parameter that is not a list, is a 400 with our error shape.
"""

import json
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.parser import Parser


class DuplicateKeyError(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKeyError(key)
        result[key] = value
    return result


class StrictParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        # Ninja turns any error here into a 400 (see errors.on_http_error for the message).
        return json.loads(request.body, object_pairs_hook=_no_duplicates)

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, values in data.lists():
            if key in list_fields:
                result[key] = values
            elif len(values) > 1:
                raise HttpError(
                    400, _("The parameter “%(name)s” was given more than once.") % {"name": key}
                )
            else:
                result[key] = values[0]
        return result
