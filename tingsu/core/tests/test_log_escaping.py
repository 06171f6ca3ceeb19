"""User input cannot forge a log line: the configured handler escapes control characters."""

import io
import logging

import pytest

from tingsu.core.logging import EscapeControlCharsFilter, EscapingFormatter, escape_log_text

FORGED = "TS1\r\n2026-11-23 10:00:00 INFO tingsu.audit login ok user=admin"


@pytest.fixture
def log_stream():
    """The stream of the console handler configured by settings.LOGGING."""
    root = logging.getLogger()
    handler = next(
        h for h in root.handlers if any(isinstance(f, EscapeControlCharsFilter) for f in h.filters)
    )
    stream = io.StringIO()
    old = handler.setStream(stream)
    yield stream
    handler.setStream(old)


def test_escape_log_text_shows_every_control_character():
    assert escape_log_text("a\r\nb\tc\x1b[31md\x00e\u2028f\x85") == (
        "a\\r\\nb\\tc\\x1b[31md\\x00e\\u2028f\\x85"
    )
    assert escape_log_text("投诉 🧧 𠮷") == "投诉 🧧 𠮷"


def test_a_forged_line_in_an_argument_stays_on_one_line(log_stream):
    logging.getLogger("tingsu.test").warning("Case %s not found", FORGED)

    lines = log_stream.getvalue().splitlines()
    assert lines == [
        "Case TS1\\r\\n2026-11-23 10:00:00 INFO tingsu.audit login ok user=admin not found"
    ]


def test_a_forged_line_in_the_message_or_a_dict_argument_stays_on_one_line(log_stream):
    log = logging.getLogger("tingsu.test")
    log.warning("subject: " + FORGED)
    log.warning("%(subject)s", {"subject": FORGED})
    log.warning("object: %s", type("Evil", (), {"__str__": lambda self: FORGED})())
    log.warning("number: %d", 42)

    lines = log_stream.getvalue().splitlines()
    assert len(lines) == 4
    assert lines[3] == "number: 42"
    assert all("\\r\\n2026" in line for line in lines[:3])


def test_a_traceback_keeps_its_lines_but_the_message_does_not(log_stream):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("tingsu.test").exception("failed for %s", FORGED)

    text = log_stream.getvalue()
    assert text.splitlines()[0].startswith("failed for TS1\\r\\n2026")
    assert "Traceback (most recent call last):" in text.splitlines()[1]


def test_a_request_path_with_crlf_is_logged_as_one_line(client, db, log_stream):
    response = client.get("/portal/track/TS1%0d%0aINFO%20forged%20entry/")

    assert response.status_code == 404
    lines = [line for line in log_stream.getvalue().splitlines() if line]
    assert lines, "Django logs the 404"
    assert not any(line.startswith("INFO forged") for line in lines)
    assert any("\\r\\nINFO forged entry" in line for line in lines)


def test_the_formatter_alone_escapes_what_a_filter_did_not_see():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "a %s", ("b\nc",), None)
    assert EscapingFormatter("%(levelname)s %(message)s").format(record) == "INFO a b\\nc"
