"""Walk the audit hash chain and name the first entry that was altered, removed or inserted.

Entries are read in sequence order in keyset batches, so memory stays constant however
long the chain is. Stored anchors are merged into the walk: an anchor names a sequence
and the hash the chain had there, so a chain rewritten from some point on (with all
hashes recomputed) is still caught at the first anchor after that point.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from tingsu.audit.chain import GENESIS_HASH, HASHED_FIELDS, entry_hash
from tingsu.audit.models import AuditAnchor, AuditChainHead, AuditEntry

BATCH = 5000
COLUMNS = ("id", "hash", *HASHED_FIELDS)


class Problem(StrEnum):
    ALTERED = "altered"
    REMOVED = "removed"
    INSERTED = "inserted"


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    anchors_checked: int
    head_seq: int
    problem: Problem | None = None
    seq: int | None = None
    entry_id: int | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.problem is None


def _entries(batch: int) -> Iterator[dict]:
    last = 0
    while True:
        rows = list(
            AuditEntry.objects.filter(seq__gt=last).order_by("seq").values(*COLUMNS)[:batch]
        )
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1]["seq"]


def _anchors() -> Iterator[AuditAnchor]:
    return AuditAnchor.objects.order_by("seq", "id").iterator(chunk_size=BATCH)


def audit_chain_verify(*, batch: int = BATCH) -> VerifyResult:
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    anchors = _anchors()
    anchor = next(anchors, None)
    prev_seq, prev_hash = 0, GENESIS_HASH
    checked = anchors_checked = 0

    def fail(problem, row, message):
        return VerifyResult(
            checked=checked,
            anchors_checked=anchors_checked,
            head_seq=head_seq,
            problem=problem,
            seq=row["seq"] if row else None,
            entry_id=row["id"] if row else None,
            message=message,
        )

    for row in _entries(batch):
        seq = row["seq"]
        content = {field: row[field] for field in HASHED_FIELDS}
        if entry_hash(**content) != row["hash"]:
            return fail(
                Problem.ALTERED,
                row,
                _(
                    "Entry #%(seq)s (id %(id)s) was altered or forged: its content does not "
                    "match its hash."
                )
                % {"seq": seq, "id": row["id"]},
            )
        if seq != prev_seq + 1:
            return fail(
                Problem.REMOVED,
                row,
                _("Entries #%(first)s to #%(last)s were removed: the chain jumps to #%(seq)s.")
                % {"first": prev_seq + 1, "last": seq - 1, "seq": seq},
            )
        if row["prev_hash"] != prev_hash:
            return fail(
                Problem.INSERTED,
                row,
                _(
                    "Entry #%(seq)s does not follow entry #%(prev)s: one of them was replaced "
                    "or inserted."
                )
                % {"seq": seq, "prev": prev_seq},
            )
        while anchor is not None and anchor.seq <= seq:
            if anchor.seq == seq and anchor.hash != row["hash"]:
                return fail(
                    Problem.ALTERED,
                    row,
                    _(
                        "Entry #%(seq)s differs from the anchor taken at %(time)s: the chain "
                        "was rewritten up to here."
                    )
                    % {"seq": seq, "time": anchor.created_at.isoformat()},
                )
            anchors_checked += 1
            anchor = next(anchors, None)
        prev_seq, prev_hash = seq, row["hash"]
        checked += 1
        if seq > head_seq:
            return fail(
                Problem.INSERTED,
                row,
                _("Entry #%(seq)s was inserted beyond the chain head (#%(head)s).")
                % {"seq": seq, "head": head_seq},
            )

    if anchor is not None and anchor.seq > prev_seq:
        return fail(
            Problem.REMOVED,
            None,
            _(
                "Entries after #%(last)s were removed: an anchor taken at %(time)s records "
                "entry #%(seq)s."
            )
            % {"last": prev_seq, "time": anchor.created_at.isoformat(), "seq": anchor.seq},
        )
    if head_seq > prev_seq:
        return fail(
            Problem.REMOVED,
            None,
            _("Entries #%(first)s to #%(last)s were removed from the end of the chain.")
            % {"first": prev_seq + 1, "last": head_seq},
        )
    if head_seq == prev_seq and head_hash != prev_hash:
        return fail(
            Problem.ALTERED,
            None,
            _("The last entry #%(seq)s does not match the chain head.") % {"seq": prev_seq},
        )
    return VerifyResult(checked=checked, anchors_checked=anchors_checked, head_seq=head_seq)
