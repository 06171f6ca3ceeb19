"""Log lines that user input cannot forge.

A complaint subject such as "x\\n2026-11-23 INFO login ok user=admin" would otherwise start
a new, fake line in the log. `EscapeControlCharsFilter` rewrites each record's message and
arguments so CR, LF and the other control characters appear as visible escapes (\\n, \\r,
\\x1b, \\u2028), and `EscapingFormatter` does the same to the finished line (tracebacks
keep their real line breaks). Both are wired in settings.LOGGING.
"""

import logging
import re

# C0 and C1 controls, DEL, and the Unicode line/paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(match: re.Match) -> str:
    ch = match.group(0)
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_log_text(value: str) -> str:
    """The text with every control character shown as an escape, never acted on."""
    return _CONTROL.sub(_escape_char, value)


def _escape_arg(value):
    if isinstance(value, str):
        return escape_log_text(value)
    if isinstance(value, bytes):
        return escape_log_text(value.decode("utf-8", "backslashreplace"))
    # Other objects keep their type (for %d, %r); EscapingFormatter escapes the result.
    return value


class EscapeControlCharsFilter(logging.Filter):
    """Escape control characters in a record's message and arguments, in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = escape_log_text(record.msg)
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(_escape_arg(a) for a in args)
        elif isinstance(args, dict):
            record.args = {k: _escape_arg(v) for k, v in args.items()}
        return True


class EscapingFormatter(logging.Formatter):
    """Escape the formatted message; the traceback (from our code, not input) stays readable."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging API)
        record.message = escape_log_text(record.message)
        return super().formatMessage(record)
