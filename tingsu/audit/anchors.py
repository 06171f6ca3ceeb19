"""Anchors: copies of the chain head kept in the log and a table, for an off-host record.

An attacker who can rewrite the audit table and recompute every hash still cannot change
what was already logged and shipped elsewhere; `tingsu audit verify` checks the chain
against the stored anchors, and an operator can compare the exported ones with the log.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tingsu.audit.chain import canonical_json, canonical_time
from tingsu.audit.models import AuditAnchor, AuditChainHead

logger = logging.getLogger("tingsu.audit.anchor")


def anchor_as_dict(anchor: AuditAnchor) -> dict:
    return {"seq": anchor.seq, "hash": anchor.hash, "time": canonical_time(anchor.created_at)}


def _write(head: AuditChainHead) -> AuditAnchor:
    anchor = AuditAnchor.objects.create(seq=head.seq, hash=head.hash)
    logger.info("audit anchor %s", canonical_json(anchor_as_dict(anchor)))
    return anchor


def audit_anchor_write() -> AuditAnchor | None:
    """Anchor the current head now; None while the chain is empty."""
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None or head.seq == 0:
            return None
        return _write(head)


def audit_anchor_claim_due() -> bool:
    """Scheduler job: anchor the head if the last anchor is older than AUDIT_ANCHOR_MINUTES.

    Locking the head row makes concurrent schedulers take turns; the second one sees the
    fresh anchor and does nothing. An unchanged head is not anchored again.
    """
    every = timedelta(minutes=settings.TINGSU["AUDIT_ANCHOR_MINUTES"])
    last = AuditAnchor.objects.order_by("-id").values("created_at", "seq").first()
    if last and last["created_at"] > timezone.now() - every:
        return False
    head_seq = AuditChainHead.objects.filter(pk=1).values_list("seq", flat=True).first()
    if not head_seq or (last and last["seq"] == head_seq):
        return False
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None or head.seq == 0:
            return False
        last = AuditAnchor.objects.order_by("-id").values("created_at", "seq").first()
        if last and (last["created_at"] > timezone.now() - every or last["seq"] == head.seq):
            return False
        _write(head)
    return True
