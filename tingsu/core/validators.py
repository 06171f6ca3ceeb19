"""Validators shared by forms and API schemas.

A one-line field (a name, a subject, an order number) may reach an email header or a
log line. Header injection is refused where the text comes in, with a message the sender
can act on, instead of being quietly collapsed: the mail transport still folds whatever
reaches it from elsewhere (inbound email, imports) into one line.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# CR and LF, and what mail or log readers may also take as a line end: VT, FF, the
# file/group/record separators, NEL and the Unicode line and paragraph separators.
LINE_BREAK = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def line_break_message() -> str:
    return _("Keep this on one line: line breaks are not allowed here.")


def has_line_break(value: str) -> bool:
    return bool(LINE_BREAK.search(value or ""))


def refuse_line_breaks(value: str) -> None:
    """Django validator for one-line form fields."""
    if has_line_break(value):
        raise ValidationError(line_break_message(), code="line_break")
