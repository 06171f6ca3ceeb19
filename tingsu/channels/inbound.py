"""One inbound service for every channel.

`inbound_receive` records the message, resolves the customer, and threads it onto a case:
1. a case number named in the message, if that case is the sender's;
2. else an earlier message this one replies to (ours or theirs);
3. else the same customer's open case about the same matter (text similarity within a
   time window; the timeline says why it was appended);
4. else a new case.
A message for a closed, withdrawn or rejected case opens a new case that names the old
one. Every message is kept as an InboundRecord, rejected ones with the reason.
"""

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tingsu.cases.models import OPEN_STATUSES, Case, Status
from tingsu.cases.services import Actor, case_add_message, case_create
from tingsu.channels.contracts import Identity, InboundMessage, InboundResult
from tingsu.channels.models import InboundRecord, InboundStatus, OutboxMessage
from tingsu.channels.similarity import text_similarity
from tingsu.core.errors import TingsuError, ValidationFailed
from tingsu.customers.models import Customer
from tingsu.customers.services import customer_resolve, normalise_phone

logger = logging.getLogger("tingsu.inbound")

# A message for a case in one of these starts a new case that refers to the old one.
ENDED_STATUSES = (Status.CLOSED, Status.WITHDRAWN, Status.REJECTED)
EXCERPT_CHARS = 2000


def _conf(key: str, default):
    return settings.TINGSU.get(key, default)


@dataclass
class _Thread:
    case: Case | None
    via: str = ""  # "case_number" | "reply_to" | "same_matter" | ""
    reason: str = ""
    similarity: float | None = None


def _external_id(value: str) -> str:
    value = (value or "").strip()
    if len(value) > 255:
        return "sha256:" + hashlib.sha256(value.encode()).hexdigest()
    return value


def _sender(identity: Identity) -> str:
    return (
        identity.email
        or identity.phone
        or identity.wechat_openid
        or identity.customer_number
        or identity.name
    )[:255]


def inbound_receive(*, message: InboundMessage) -> InboundResult:
    """Record one inbound message and turn it into a case or a timeline message."""
    external_id = _external_id(message.external_id)
    with transaction.atomic():
        duplicate = _find_duplicate(message.channel, external_id)
        if duplicate:
            return duplicate
        record = InboundRecord(
            channel=message.channel,
            external_id=external_id,
            sender=_sender(message.identity),
            subject=(message.subject or "")[:255],
            body_excerpt=(message.body or "")[:EXCERPT_CHARS],
            meta={
                **_jsonable_meta(message.meta),
                "case_numbers": list(message.case_numbers)[:20],
                "reply_to_ids": list(message.reply_to_ids)[:50],
                "attachments": [
                    {"filename": a.filename, "content_type": a.content_type, "size": len(a.content)}
                    for a in message.attachments
                ][:50],
                **({"received_at": message.received_at.isoformat()} if message.received_at else {}),
            },
        )
        duplicate = _save_record(record, message)
        if duplicate:
            return duplicate
        try:
            with transaction.atomic():
                result = _process(record, message)
        except TingsuError as exc:
            reason = _error_text(exc)
            InboundRecord.objects.filter(pk=record.pk).update(
                status=InboundStatus.REJECTED, reason=reason
            )
            logger.info("Inbound %s rejected: %s", record.pk, reason)
            return InboundResult(outcome="rejected", reason=reason, record_id=record.pk)
    return result


def inbound_reject(*, message: InboundMessage, reason: str) -> InboundResult:
    """Keep a message an adapter refused (too big, a loop, unparseable) as rejected."""
    external_id = _external_id(message.external_id)
    with transaction.atomic():
        duplicate = _find_duplicate(message.channel, external_id)
        if duplicate:
            return duplicate
        record = InboundRecord(
            channel=message.channel,
            external_id=external_id,
            status=InboundStatus.REJECTED,
            reason=reason,
            sender=_sender(message.identity),
            subject=(message.subject or "")[:255],
            body_excerpt=(message.body or "")[:EXCERPT_CHARS],
            meta=_jsonable_meta(message.meta),
        )
        duplicate = _save_record(record, message)
        if duplicate:
            return duplicate
    return InboundResult(outcome="rejected", reason=reason, record_id=record.pk)


def _save_record(record: InboundRecord, message: InboundMessage) -> InboundResult | None:
    """Save a new record with its raw bytes; if a concurrent delivery of the same message
    won the race, return that delivery's result instead."""
    if message.raw:
        _attach_raw(record, message.raw)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        duplicate = _find_duplicate(record.channel, record.external_id)
        if duplicate:
            return duplicate
        raise
    return None


def _find_duplicate(channel: str, external_id: str) -> InboundResult | None:
    if not external_id:
        return None
    existing = (
        InboundRecord.objects.filter(channel=channel, external_id=external_id)
        .select_related("case")
        .first()
    )
    if existing is None:
        return None
    return InboundResult(
        outcome="duplicate_delivery",
        case_number=existing.case.number if existing.case else "",
        reason=_("Already received as inbound message %(id)s.") % {"id": existing.pk},
        record_id=existing.pk,
    )


def _attach_raw(record: InboundRecord, raw: bytes) -> None:
    limit = int(_conf("INBOUND_RAW_MAX_BYTES", 25 * 1024 * 1024))
    if len(raw) > limit:
        record.meta["raw_truncated_from"] = len(raw)
        raw = raw[:limit]
    record.raw.save(f"{uuid.uuid4().hex}.raw", ContentFile(raw), save=False)


def _jsonable_meta(meta: dict) -> dict:
    out = {}
    for key, value in (meta or {}).items():
        if isinstance(value, str | int | float | bool | type(None) | list | dict):
            out[str(key)] = value
        else:
            out[str(key)] = str(value)
    return out


def _error_text(exc: TingsuError) -> str:
    parts = [str(exc.message)]
    for field, messages in (exc.detail or {}).items():
        if isinstance(messages, list | tuple):
            parts.extend(f"{field}: {m}" for m in messages)
    return " ".join(parts)[:4000]


def _process(record: InboundRecord, message: InboundMessage) -> InboundResult:
    identity = message.identity
    if not any((identity.phone, identity.email, identity.wechat_openid, identity.customer_number)):
        raise ValidationFailed(_("The message does not say who sent it; it was kept."))
    customer = customer_resolve(
        name=identity.name,
        phone=identity.phone,
        email=identity.email,
        wechat_openid=identity.wechat_openid,
        customer_number=identity.customer_number,
    )
    record.customer = customer
    attachments = [
        SimpleUploadedFile(a.filename or "file", a.content, content_type=a.content_type)
        for a in message.attachments
    ]
    body = _body_text(message, has_attachments=bool(attachments))
    thread = _thread(message, customer)
    target = thread.case
    while target is not None and target.status == Status.MERGED and target.merged_into_id:
        target = target.merged_into
    data = {"channel": message.channel, "inbound_record": record.pk}
    if message.external_id:
        data["external_id"] = record.external_id
    if target is not None and target.status in ENDED_STATUSES:
        data.update(
            follows_case=target.number,
            reason=_("New case: %(number)s is %(status)s.")
            % {"number": target.number, "status": target.get_status_display()},
        )
        target = None
        thread = _Thread(None, reason=data["reason"])
    if target is not None:
        data.update(threaded_by=thread.via, reason=thread.reason)
        if thread.similarity is not None:
            data["similarity"] = round(thread.similarity, 2)
        case_add_message(
            actor=Actor.customer(target.customer),
            case=target,
            body=body,
            attachments=attachments,
            event_data=data,
        )
        outcome, case = "appended", target
    else:
        case, _created = case_create(
            actor=Actor.customer(customer),
            customer=customer,
            channel=message.channel,
            subject=_subject_text(message, body),
            description=body,
            attachments=attachments,
            event_data=data,
            # A provider's webhook is answered (and a mailbox poll moves on) once the case
            # is written; the worker classifies, routes and notifies, as for the API.
            defer_processing=settings.TINGSU["INTAKE_DEFERRED"],
        )
        outcome = "created"
    record.case = case
    record.status = InboundStatus.PROCESSED
    record.reason = thread.reason
    record.save(update_fields=["case", "customer", "status", "reason"])
    return InboundResult(
        outcome=outcome, case_number=case.number, reason=thread.reason, record_id=record.pk
    )


def _body_text(message: InboundMessage, *, has_attachments: bool) -> str:
    body = (message.body or "").strip()
    if not body:
        body = (message.subject or "").strip()
    if not body and has_attachments:
        body = _("(No text; see the attached files.)")
    limit = settings.TINGSU["MAX_DESCRIPTION_CHARS"]
    if len(body) > limit:
        # The whole message stays in the raw record; the case gets what fits.
        note = "\n" + _("[Shortened; the full message is kept with the inbound record.]")
        body = body[: limit - len(note)] + note
    return body


def _subject_text(message: InboundMessage, body: str) -> str:
    subject = (message.subject or "").strip()
    return subject[:200] if subject else body.splitlines()[0][:200]


def _customer_matches(case: Case, customer: Customer, identity: Identity) -> bool:
    if case.customer_id == customer.pk:
        return True
    owner = case.customer
    checks = [
        (owner.customer_number, identity.customer_number.strip()),
        (owner.phone, normalise_phone(identity.phone)),
        ((owner.email or "").casefold(), identity.email.strip().casefold()),
        (owner.wechat_openid, identity.wechat_openid.strip()),
    ]
    return any(mine and theirs and mine == theirs for mine, theirs in checks)


def _thread(message: InboundMessage, customer: Customer) -> _Thread:
    # 1. A case number named in the message, if it is this sender's case.
    numbers = [n.strip().upper() for n in message.case_numbers if n and n.strip()]
    for case in Case.objects.filter(number__in=numbers).select_related("customer"):
        if _customer_matches(case, customer, message.identity):
            return _Thread(
                case,
                "case_number",
                _("Appended: the message names case %(number)s.") % {"number": case.number},
            )
    # 2. A reply to an earlier message of a case (theirs or ours).
    ids = [i.strip().strip("<>").strip() for i in message.reply_to_ids if i and i.strip()]
    ids = [i for i in ids if i]
    if ids:
        candidates = ids + [f"<{i}>" for i in ids]
        earlier = (
            InboundRecord.objects.filter(external_id__in=candidates, case__isnull=False)
            .select_related("case")
            .order_by("-id")
            .first()
        )
        case = earlier.case if earlier else None
        if case is None:
            sent = (
                OutboxMessage.objects.filter(external_id__in=ids, case__isnull=False)
                .select_related("case")
                .order_by("-id")
                .first()
            )
            case = sent.case if sent else None
        if case is not None:
            return _Thread(
                case,
                "reply_to",
                _("Appended: a reply to an earlier message of %(number)s.")
                % {"number": case.number},
            )
    # 3. The same customer's open case about the same matter.
    threshold = float(_conf("DUPLICATE_SIMILARITY", 0.5))
    window = timedelta(days=float(_conf("DUPLICATE_WINDOW_DAYS", 7)))
    text = f"{message.subject}\n{message.body}" if message.subject else message.body
    best: tuple[float, Case] | None = None
    open_cases = Case.objects.filter(
        customer=customer, status__in=OPEN_STATUSES, updated_at__gte=timezone.now() - window
    ).order_by("-updated_at")[:20]
    for case in open_cases:
        score = max(
            text_similarity(text, case.description),
            text_similarity(text, f"{case.subject}\n{case.description}"),
        )
        if score >= threshold and (best is None or score > best[0]):
            best = (score, case)
    if best is not None:
        score, case = best
        return _Thread(
            case,
            "same_matter",
            _("Appended: same matter as %(number)s, similarity %(score).2f.")
            % {"number": case.number, "score": score},
            similarity=score,
        )
    return _Thread(None)
