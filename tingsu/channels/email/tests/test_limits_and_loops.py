"""The parser's limits and the loop detector, on their own (no database)."""

import pytest

from tingsu.channels.email.loops import loop_reason
from tingsu.channels.email.parser import parse_email

HEAD = b"From: Li <li@example.com>\r\nMessage-ID: <x1@example.com>\r\nSubject: hello\r\n"


def nested(depth: int) -> bytes:
    body = b"Content-Type: text/plain\r\n\r\ninner text\r\n"
    for level in range(depth):
        b = f"B{level}".encode()
        body = (
            b"Content-Type: multipart/mixed; boundary="
            + b
            + b"\r\n\r\n--"
            + b
            + b"\r\n"
            + body
            + b"--"
            + b
            + b"--\r\n"
        )
    return HEAD + body


def with_attachments(n: int) -> bytes:
    parts = b"".join(
        b"--M\r\nContent-Type: text/plain\r\n"
        b'Content-Disposition: attachment; filename="f%d.txt"\r\n\r\nx\r\n' % i
        for i in range(n)
    )
    return (
        HEAD + b'Content-Type: multipart/mixed; boundary="M"\r\n\r\n'
        b"--M\r\nContent-Type: text/plain\r\n\r\nbody\r\n" + parts + b"--M--\r\n"
    )


def test_it_rejects_a_message_over_the_size_limit_and_keeps_its_headers():
    parsed = parse_email(HEAD + b"\r\n" + b"x" * 2000, max_bytes=1000)
    assert "over the limit of 1000" in parsed.rejection
    assert parsed.message_id == "<x1@example.com>"
    assert parsed.from_address == "li@example.com"
    assert parsed.subject == "hello"


def test_it_rejects_mime_nesting_deeper_than_the_limit():
    assert parse_email(nested(3), max_depth=3).rejection == ""
    assert parse_email(nested(3), max_depth=3).text == "inner text"
    parsed = parse_email(nested(4), max_depth=3)
    assert parsed.rejection == "MIME nesting deeper than 3 levels"
    assert parsed.subject == "hello"


def test_it_rejects_absurd_nesting_without_blowing_the_stack():
    parsed = parse_email(nested(3000))
    assert "MIME nesting deeper than" in parsed.rejection
    assert parsed.subject == "hello"


def test_it_rejects_more_attachments_than_the_limit():
    assert len(parse_email(with_attachments(3), max_attachments=3).attachments) == 3
    parsed = parse_email(with_attachments(4), max_attachments=3)
    assert parsed.rejection == "more than 3 attachments"
    assert parsed.attachments == []


def message(headers: bytes, ctype: bytes = b"text/plain") -> bytes:
    return HEAD + headers + b"Content-Type: " + ctype + b"\r\n\r\nbody\r\n"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (b"Auto-Submitted: auto-replied\r\n", "Auto-Submitted: auto-replied"),
        (b"Auto-Submitted: auto-generated; foo=bar\r\n", "Auto-Submitted: auto-generated"),
        (b"X-Autoreply: yes\r\n", "X-Autoreply"),
        (b"X-Autorespond: Out of office\r\n", "X-Autorespond"),
        (b"Precedence: bulk\r\n", "Precedence: bulk"),
        (b"Precedence: junk\r\n", "Precedence: junk"),
        (b"Precedence: list\r\n", "Precedence: list"),
        (b"Precedence: auto_reply\r\n", "Precedence: auto_reply"),
        (b"Return-Path: <>\r\n", "empty Return-Path"),
        (b"Return-Path: <MAILER-DAEMON@mx.example.com>\r\n", "MAILER-DAEMON"),
    ],
)
def test_it_detects_automatic_mail_by_its_headers(headers, expected):
    assert expected in loop_reason(parse_email(message(headers)))


def test_it_detects_bounces_by_multipart_report():
    raw = (
        HEAD + b'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
        b"--R\r\nContent-Type: text/plain\r\n\r\nUndeliverable\r\n--R--\r\n"
    )
    assert "multipart/report" in loop_reason(parse_email(raw))


def test_it_detects_a_mailer_daemon_sender():
    raw = b"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n\r\nfailed"
    assert "MAILER-DAEMON" in loop_reason(parse_email(raw))


def test_it_detects_our_own_message_ids_and_address():
    parsed = parse_email(b"Message-ID: <abc@tingsu.example>\r\nFrom: x@y.example\r\n\r\nhi")
    assert "our own message" in loop_reason(parsed, own_domains={"TINGSU.example"})
    assert "our own message" in loop_reason(parsed, own_message_ids={"abc@tingsu.example"})
    parsed = parse_email(b"From: Support <Support@Tingsu.example>\r\n\r\nhi")
    assert "own address" in loop_reason(parsed, own_addresses={"support@tingsu.example"})


def test_it_lets_ordinary_mail_and_auto_submitted_no_through():
    assert loop_reason(parse_email(message(b"Auto-Submitted: no\r\nPrecedence: normal\r\n"))) == ""
