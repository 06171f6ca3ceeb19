"""Mail that must never become a case: auto-replies, bounces, list mail and our own mail.

Answering an auto-reply with our "we received your complaint" mail, which the other side
auto-replies to again, is how mail loops start (RFC 3834). The headers checked are the
ones real auto-responders write; our own Message-IDs catch mail that came back to us.
"""

import re

from tingsu.channels.email.parser import ParsedEmail

BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
DAEMON = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)


def _domain(message_id: str) -> str:
    return message_id.strip().strip("<>").rpartition("@")[2].strip().lower()


def loop_reason(
    parsed: ParsedEmail,
    *,
    own_domains: set[str] = frozenset(),
    own_addresses: set[str] = frozenset(),
    own_message_ids: set[str] = frozenset(),
) -> str:
    """Why this message is automatic or our own (English, for the record), or ""."""
    auto = parsed.header("auto-submitted").split(";", 1)[0].strip().lower()
    if auto and auto != "no":
        return f"auto-reply (Auto-Submitted: {auto})"
    for name in ("x-autoreply", "x-autorespond"):
        if name in parsed.headers:
            return f"auto-reply ({name.title()}: {parsed.header(name)[:60]})"
    precedence = parsed.header("precedence").strip().lower()
    if precedence in BULK_PRECEDENCE:
        return f"bulk or auto-reply mail (Precedence: {precedence})"
    if parsed.content_type == "multipart/report":
        return "delivery report (multipart/report bounce)"
    return_path = parsed.header("return-path").strip()
    if "return-path" in parsed.headers and return_path.strip("<> ") == "":
        return "bounce (empty Return-Path <>)"
    if DAEMON.match(return_path.strip("<> ")) or DAEMON.match(parsed.from_address):
        return "bounce (from MAILER-DAEMON)"
    message_id = parsed.message_id.strip("<>")
    if message_id and (
        message_id in own_message_ids or _domain(message_id) in {d.lower() for d in own_domains}
    ):
        return f"our own message came back (Message-ID {parsed.message_id[:100]})"
    if parsed.from_address and parsed.from_address.casefold() in {
        a.casefold() for a in own_addresses
    }:
        return f"sent from our own address ({parsed.from_address})"
    return ""
