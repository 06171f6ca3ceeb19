"""Polling IMAP mailboxes for complaints.

The scheduler runs `mailbox_poll_claim_due`: it claims one due mailbox with a conditional
UPDATE that pushes `next_poll_at` out by a lease (so a crashed poller is retried once the
lease runs out, and two schedulers never poll one mailbox at once), then polls it outside
any transaction. Messages are fetched with BODY.PEEK[] so that a message is only marked
read (or moved) after it was recorded; a crash in between means it is fetched again, and
the core records a repeat Message-ID once.
"""

import contextlib
import imaplib
import logging
import re
import ssl
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tingsu.channels.email.intake import email_receive
from tingsu.channels.email.models import AfterProcessing, Mailbox
from tingsu.core.claims import claim_oldest_due

logger = logging.getLogger("tingsu.channels.email")

CLAIM_LEASE = timedelta(minutes=10)


def _conf(key: str, default):
    return settings.TINGSU.get(key, default)


def mailbox_poll_claim_due() -> bool:
    """Claim one active mailbox whose poll is due and poll it. True if one was claimed."""
    now = timezone.now()
    with transaction.atomic():
        due = Mailbox.objects.filter(is_active=True, next_poll_at__lte=now)
        claim = claim_oldest_due(due, field="next_poll_at", set_to=now + CLAIM_LEASE)
    if claim is None:
        return False
    if claim.won:
        mailbox_poll(Mailbox.objects.get(pk=claim.pk))
    return True


class PollError(Exception):
    pass


def _check(response: tuple, what: str) -> list:
    status, data = response
    if status != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
        raise PollError(f"{what} failed: {status} {detail}".strip())
    return data


def _quote(mailbox_name: str) -> str:
    return '"' + mailbox_name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    timeout = float(_conf("EMAIL_IMAP_TIMEOUT_SECONDS", 30))
    if mailbox.use_ssl:
        return imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    return imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)


def _fetch(conn: imaplib.IMAP4, uid: bytes) -> bytes | None:
    data = _check(conn.uid("FETCH", uid, "(BODY.PEEK[])"), f"FETCH {uid.decode()}")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None  # gone meanwhile (another client expunged it)


def _done(conn: imaplib.IMAP4, mailbox: Mailbox, uid: bytes, *, can_move: bool) -> None:
    if mailbox.after_processing == AfterProcessing.MOVE and mailbox.move_to_folder:
        target = _quote(mailbox.move_to_folder)
        if can_move:
            _check(conn.uid("MOVE", uid, target), "MOVE")
            return
        _check(conn.uid("COPY", uid, target), "COPY")
        _check(conn.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen \Deleted)"), "STORE")
        conn.expunge()
        return
    _check(conn.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)"), "STORE")


def _poll(conn: imaplib.IMAP4, mailbox: Mailbox, batch: int) -> tuple[int, bool]:
    """Process up to `batch` unseen messages; return (processed, more_waiting)."""
    _check(conn.login(mailbox.username, mailbox.password), "LOGIN")
    _check(conn.select(_quote(mailbox.folder)), f"SELECT {mailbox.folder}")
    capabilities = {c.upper() for c in conn.capabilities}
    data = _check(conn.uid("SEARCH", None, "UNSEEN"), "SEARCH")
    uids = [u for u in re.split(rb"\s+", (data[0] or b"").strip()) if u]
    processed = 0
    failed: list[str] = []
    for uid in uids[:batch]:
        raw = _fetch(conn, uid)
        if raw is None:
            continue
        try:
            result = email_receive(raw, mailbox=mailbox)
        except Exception as exc:
            # Left unread, so the next poll tries it again; the others go on.
            logger.exception("Mailbox %s: message %s failed", mailbox.name, uid.decode())
            failed.append(f"UID {uid.decode()}: {type(exc).__name__}: {exc}")
            continue
        logger.info(
            "Mailbox %s: message %s %s %s",
            mailbox.name,
            uid.decode(),
            result.outcome,
            result.case_number or result.reason,
        )
        _done(conn, mailbox, uid, can_move="MOVE" in capabilities)
        processed += 1
    if failed:
        raise PollError(f"{processed} message(s) processed; left unread: " + "; ".join(failed))
    return processed, len(uids) > batch


def mailbox_poll(mailbox: Mailbox) -> int:
    """Poll one mailbox now; return how many messages were processed.

    Never raises: connection, login and protocol errors are written to `last_error` and
    the mailbox is polled again at its next interval.
    """
    batch = int(_conf("EMAIL_POLL_BATCH", 50))
    processed, more, error = 0, False, ""
    conn = None
    try:
        conn = _connect(mailbox)
        processed, more = _poll(conn, mailbox, batch)
    except (OSError, imaplib.IMAP4.error, PollError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # a bug or a database error must not stop the scheduler
        logger.exception("Polling mailbox %s failed", mailbox.name)
        error = f"{type(exc).__name__}: {exc}"
    finally:
        if conn is not None:
            with contextlib.suppress(Exception):  # the connection is going away anyway
                conn.logout()
    if error:
        logger.warning("Mailbox %s: %s", mailbox.name, error)
    now = timezone.now()
    next_poll = now if more else now + timedelta(seconds=mailbox.poll_interval_seconds)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        next_poll_at=next_poll, last_polled_at=now, last_error=error[:2000]
    )
    return processed
