"""Raw email bytes -> ParsedEmail. Pure: no database, no settings, and it never raises.

Parsing uses the standard library with `email.policy.default`; a message that policy
cannot read is parsed again with `compat32`. Headers and text parts are decoded here, not
by the library, so that lying and unknown charsets degrade to replacement characters
instead of exceptions (see charsets.py).
"""

import email
import email.policy
import html as html_lib
import re
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses

import nh3

from tingsu.channels.email.charsets import decode_bytes, decode_header_value, unsurrogate
from tingsu.channels.email.quotes import strip_quoted_reply

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_MAX_DEPTH = 10
DEFAULT_MAX_ATTACHMENTS = 20
MAX_HTML_CHARS = 200_000

# What survives in sanitised HTML: text structure and links, no images (remote images are
# tracking beacons), no styles, no forms, no scripts.
HTML_TAGS = {
    "a",
    "b",
    "blockquote",
    "br",
    "code",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
HTML_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan"}}
HTML_URL_SCHEMES = {"http", "https", "mailto"}
BLOCK_END = re.compile(r"(?i)(<br\s*/?>|</(p|div|li|tr|h[1-6]|pre|table|ul|ol)>|<hr\s*/?>)")


class LimitExceeded(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    content: bytes
    inline: bool = False


@dataclass
class ParsedEmail:
    message_id: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    from_name: str = ""
    from_address: str = ""
    to: list[str] = field(default_factory=list)
    subject: str = ""
    text: str = ""  # the new text, quoted history stripped
    full_text: str = ""  # the text as sent
    html: str = ""  # sanitised
    attachments: list[ParsedAttachment] = field(default_factory=list)
    content_type: str = ""
    # Header name (lower case) -> decoded values, for loop detection and the record.
    headers: dict[str, list[str]] = field(default_factory=dict)
    # Set when the message broke a limit or could not be read at all; the rest is what
    # could still be read (usually the headers).
    rejection: str = ""
    policy: str = "default"

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower())
        return values[0] if values else ""


def html_sanitize(html: str) -> str:
    try:
        return nh3.clean(
            html,
            tags=HTML_TAGS,
            attributes=HTML_ATTRIBUTES,
            url_schemes=HTML_URL_SCHEMES,
            strip_comments=True,
            link_rel="noopener noreferrer nofollow",
        )
    except Exception:  # nh3 refuses lone surrogates and such: retry on clean text
        return nh3.clean(html.encode("utf-8", "replace").decode("utf-8"), tags=set(), attributes={})


def html_to_text(html: str) -> str:
    """Visible text of (sanitised) HTML, with line breaks where blocks end."""
    marked = BLOCK_END.sub(lambda m: m.group(0) + "\n", html)
    # Quoted history in HTML replies lives in <blockquote>: drop it with its content.
    text = nh3.clean(
        marked,
        tags=set(),
        attributes={},
        clean_content_tags={"script", "style", "blockquote"},
    )
    text = html_lib.unescape(text).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _message_ids(value: str) -> list[str]:
    ids = re.findall(r"<[^<>\s]+>", value or "")
    if not ids and value and value.strip():
        ids = [f"<{token.strip('<>')}>" for token in value.split() if "@" in token]
    return ids


def _addresses(values: list[str]) -> list[tuple[str, str]]:
    try:
        pairs = getaddresses(values)
    except Exception:
        return []
    return [(decode_header_value(name), addr.strip()) for name, addr in pairs if addr]


class _Walker:
    def __init__(self, *, max_depth: int, max_attachments: int):
        self.max_depth = max_depth
        self.max_attachments = max_attachments
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[ParsedAttachment] = []

    def walk(self, part: Message, depth: int = 0, *, body: str = "all") -> None:
        """body: "all" collects text and HTML; "html" only HTML (the other half of a
        multipart/alternative whose text/plain we took); "none" neither."""
        if depth > self.max_depth:
            raise LimitExceeded(f"MIME nesting deeper than {self.max_depth} levels")
        ctype = part.get_content_type()
        if ctype == "message/rfc822" or ctype.startswith("message/") and part.is_multipart():
            self._forwarded(part, depth)
            return
        if part.is_multipart():
            children = part.get_payload()
            if not isinstance(children, list):
                return
            preferred = None
            if ctype == "multipart/alternative" and body == "all":
                preferred = self._preferred_alternative(children)
            for child in children:
                if not isinstance(child, Message):
                    continue
                child_body = body if preferred is None or child is preferred else "html"
                self.walk(child, depth + 1, body=child_body)
            return
        self._leaf(part, body=body)

    @staticmethod
    def _preferred_alternative(children: list) -> Message | None:
        parts = [c for c in children if isinstance(c, Message)]
        for wanted in ("text/plain", "text/html"):
            for child in parts:
                if child.get_content_type() == wanted and not _is_attachment(child):
                    return child
        return parts[-1] if parts else None

    def _leaf(self, part: Message, *, body: str) -> None:
        ctype = part.get_content_type()
        filename = _filename(part)
        if ctype in ("text/plain", "text/html") and not _is_attachment(part) and not filename:
            if body == "all" or (body == "html" and ctype == "text/html"):
                text = decode_bytes(_payload(part), _charset(part))
                (self.plain if ctype == "text/plain" else self.html).append(text)
            return
        self._add_attachment(
            ParsedAttachment(
                filename=filename or _default_filename(ctype, len(self.attachments) + 1),
                content_type=ctype,
                content=_payload(part),
                inline=part.get_content_disposition() == "inline" or bool(part["Content-ID"]),
            )
        )

    def _forwarded(self, part: Message, depth: int) -> None:
        inner = part.get_payload()
        if isinstance(inner, list):
            inner = inner[0] if inner else None
        if isinstance(inner, Message):
            # Its nesting counts against the limit; its text is not this message's text.
            self._check_depth(inner, depth)
            try:
                content = inner.as_bytes()
            except Exception:
                content = b""
        else:
            content = _payload(part)
        self._add_attachment(
            ParsedAttachment(
                filename=_filename(part) or "forwarded.eml",
                content_type="message/rfc822",
                content=content,
            )
        )

    def _check_depth(self, part: Message, depth: int) -> None:
        if depth + 1 > self.max_depth:
            raise LimitExceeded(f"MIME nesting deeper than {self.max_depth} levels")
        if part.is_multipart():
            children = part.get_payload()
            if isinstance(children, list):
                for child in children:
                    if isinstance(child, Message):
                        self._check_depth(child, depth + 1)

    def _add_attachment(self, att: ParsedAttachment) -> None:
        self.attachments.append(att)
        if len(self.attachments) > self.max_attachments:
            raise LimitExceeded(f"more than {self.max_attachments} attachments")


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:  # an RFC 2231 charset naming a bogus codec: treat it as unknown
        return "x-unreadable"


def _is_attachment(part: Message) -> bool:
    try:
        return part.get_content_disposition() == "attachment"
    except Exception:
        return False


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        return ""
    return decode_header_value(unsurrogate(str(name))).replace("\x00", "")


def _default_filename(ctype: str, n: int) -> str:
    ext = {
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "image/gif": ".gif",
        "application/pdf": ".pdf",
        "text/plain": ".txt",
        "text/html": ".html",
    }.get(ctype, ".bin")
    return f"part-{n}{ext}"


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("utf-8", errors="surrogateescape")
    return b""


def _headers(msg: Message) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        headers.setdefault(str(name).lower(), []).append(decode_header_value(str(value)))
    return headers


def _read_headers(msg: Message, parsed: ParsedEmail) -> None:
    parsed.headers = _headers(msg)
    raw = {name.lower(): str(value) for name, value in reversed(list(msg.raw_items()))}
    parsed.subject = decode_header_value(raw.get("subject", ""))
    ids = _message_ids(unsurrogate(raw.get("message-id", "")))
    parsed.message_id = ids[0] if ids else ""
    in_reply_to = _message_ids(unsurrogate(raw.get("in-reply-to", "")))
    parsed.in_reply_to = in_reply_to[0] if in_reply_to else ""
    parsed.references = _message_ids(unsurrogate(raw.get("references", "")))
    senders = _addresses([unsurrogate(raw.get("from", ""))])
    if senders:
        parsed.from_name, parsed.from_address = senders[0]
    parsed.to = [addr for _, addr in _addresses([unsurrogate(raw.get("to", ""))])]
    try:
        parsed.content_type = msg.get_content_type()
    except Exception:
        parsed.content_type = "text/plain"


def _parse_with(raw: bytes, policy, parsed: ParsedEmail, *, max_depth: int, max_att: int) -> None:
    msg = email.message_from_bytes(raw, policy=policy)
    _read_headers(msg, parsed)
    walker = _Walker(max_depth=max_depth, max_attachments=max_att)
    walker.walk(msg)
    html = "\n".join(html_sanitize(h) for h in walker.html)
    parsed.html = html[:MAX_HTML_CHARS]
    if any(t.strip() for t in walker.plain):
        full = "\n\n".join(t.strip("\r\n") for t in walker.plain if t.strip())
    else:
        full = html_to_text(html)
    full = full.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    parsed.full_text = full.strip()
    parsed.text = strip_quoted_reply(parsed.full_text)
    parsed.attachments = walker.attachments


def parse_email(
    raw: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_attachments: int = DEFAULT_MAX_ATTACHMENTS,
) -> ParsedEmail:
    """Parse a raw message. Never raises: a message over a limit or unreadable comes back
    with `rejection` set and whatever headers could be read."""
    parsed = ParsedEmail()
    if len(raw) > max_bytes:
        parsed.rejection = f"message is {len(raw)} bytes, over the limit of {max_bytes}"
        _headers_only(raw, parsed)
        return parsed
    errors = []
    for name, policy in (("default", email.policy.default), ("compat32", email.policy.compat32)):
        attempt = ParsedEmail(policy=name)
        try:
            _parse_with(raw, policy, attempt, max_depth=max_depth, max_att=max_attachments)
            return attempt
        except LimitExceeded as exc:
            attempt.rejection = exc.reason
            attempt.attachments = []
            return attempt
        except RecursionError:
            parsed.rejection = f"MIME nesting deeper than {max_depth} levels"
            _headers_only(raw, parsed)
            return parsed
        except BaseException as exc:
            # Also catches pyo3's PanicException (a BaseException) from nh3.
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
    parsed.rejection = "unreadable message (" + "; ".join(errors)[:500] + ")"
    _headers_only(raw, parsed)
    return parsed


def _headers_only(raw: bytes, parsed: ParsedEmail) -> None:
    """Read what the headers say, for the record of a rejected message."""
    head = raw[: 256 * 1024].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    try:
        msg = email.message_from_bytes(head + b"\n\n", policy=email.policy.compat32)
        _read_headers(msg, parsed)
    except Exception:  # noqa: S110 - the record keeps the raw bytes; headers are a bonus
        return
