"""Raw email -> the channels core. Used by the IMAP poller and the raw-MIME webhook."""

import hashlib
import re
from email.utils import parseaddr

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from tingsu.cases.attachments import validate_attachments
from tingsu.cases.models import Channel
from tingsu.channels.contracts import Identity, InboundAttachment, InboundMessage, InboundResult
from tingsu.channels.email.loops import loop_reason
from tingsu.channels.email.models import Mailbox
from tingsu.channels.email.parser import ParsedAttachment, ParsedEmail, parse_email
from tingsu.channels.inbound import inbound_receive, inbound_reject
from tingsu.channels.models import OutboxMessage
from tingsu.channels.outbox import message_id_domain
from tingsu.core.errors import ValidationFailed

MAX_META_HTML_CHARS = 50_000


def _conf(key: str, default: int) -> int:
    return int(settings.TINGSU.get(key, default))


def case_number_pattern() -> re.Pattern:
    prefix = re.escape(settings.TINGSU["CASE_NUMBER_PREFIX"])
    return re.compile(rf"(?<![A-Za-z0-9]){prefix}\d{{14}}(?!\d)", re.IGNORECASE)


def case_numbers_in(subject: str) -> list[str]:
    found = [m.group(0).upper() for m in case_number_pattern().finditer(subject or "")]
    return list(dict.fromkeys(found))


def _external_id(parsed: ParsedEmail, raw: bytes) -> str:
    # A message without a Message-ID is still recorded once: its bytes name it.
    return parsed.message_id or "sha256:" + hashlib.sha256(raw).hexdigest()


def _reply_to_ids(parsed: ParsedEmail) -> list[str]:
    ids = ([parsed.in_reply_to] if parsed.in_reply_to else []) + parsed.references[::-1]
    return list(dict.fromkeys(ids))[:50]


def _attachments(parsed: ParsedEmail) -> tuple[list[InboundAttachment], list[str]]:
    """The files a case may take (the portal's own checks), and notes on those it may not."""
    kept: list[InboundAttachment] = []
    skipped: list[str] = []
    limit = settings.TINGSU["MAX_ATTACHMENTS"]
    # Real attachments first; inline images (signature logos) only if there is room.
    ordered: list[ParsedAttachment] = sorted(parsed.attachments, key=lambda a: a.inline)
    for att in ordered:
        if len(kept) >= limit:
            skipped.append(_("%(name)s (too many files)") % {"name": att.filename})
            continue
        upload = SimpleUploadedFile(att.filename, att.content, content_type=att.content_type)
        try:
            validate_attachments([upload])
        except ValidationFailed as exc:
            problems = "; ".join(str(m) for ms in exc.detail.values() for m in ms)
            skipped.append(problems or att.filename)
            continue
        kept.append(InboundAttachment(att.filename, att.content_type, att.content))
    return kept, skipped


def _own_addresses(mailbox: Mailbox | None) -> set[str]:
    addresses = {parseaddr(getattr(settings, "DEFAULT_FROM_EMAIL", "") or "")[1]}
    if mailbox is not None and "@" in mailbox.username:
        addresses.add(mailbox.username)
    return {a for a in addresses if a}


def _own_message_ids(parsed: ParsedEmail) -> set[str]:
    bare = parsed.message_id.strip("<>")
    if bare and OutboxMessage.objects.filter(external_id=bare).exists():
        return {bare}
    return set()


def build_message(parsed: ParsedEmail, raw: bytes, *, mailbox: Mailbox | None) -> InboundMessage:
    attachments, skipped = _attachments(parsed)
    body = parsed.text
    if skipped:
        note = _("Not attached:") + "\n" + "\n".join(f"- {s}" for s in skipped)
        body = f"{body}\n\n{note}" if body else note
    meta = {
        "message_id": parsed.message_id,
        "from": parsed.from_address,
        "to": parsed.to[:20],
        "parser_policy": parsed.policy,
        "html": parsed.html[:MAX_META_HTML_CHARS],
    }
    if mailbox is not None:
        meta["mailbox"] = mailbox.name
    if skipped:
        meta["attachments_skipped"] = skipped
    return InboundMessage(
        channel=Channel.EMAIL,
        identity=Identity(name=parsed.from_name[:100], email=parsed.from_address[:254]),
        subject=parsed.subject,
        body=body,
        attachments=attachments,
        external_id=_external_id(parsed, raw),
        case_numbers=case_numbers_in(parsed.subject),
        reply_to_ids=_reply_to_ids(parsed),
        raw=raw,
        meta=meta,
    )


def email_receive(raw: bytes, *, mailbox: Mailbox | None = None) -> InboundResult:
    """Parse one raw message and hand it to the channels core.

    Loops, auto-replies, bounces and messages over a limit are kept as rejected records
    and never create a case.
    """
    parsed = parse_email(
        raw,
        max_bytes=_conf("EMAIL_MAX_BYTES", 25 * 1024 * 1024),
        max_depth=_conf("EMAIL_MAX_MIME_DEPTH", 10),
        max_attachments=_conf("EMAIL_MAX_ATTACHMENTS", 20),
    )
    message = build_message(parsed, raw, mailbox=mailbox)
    reason = parsed.rejection or loop_reason(
        parsed,
        own_domains={message_id_domain()},
        own_addresses=_own_addresses(mailbox),
        own_message_ids=_own_message_ids(parsed),
    )
    if reason:
        return inbound_reject(message=message, reason=reason)
    return inbound_receive(message=message)
