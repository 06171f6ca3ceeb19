"""`tingsu audit verify|anchor|export`: check the hash chain, anchor its head, copy it off-host."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from tingsu.audit.anchors import anchor_as_dict, audit_anchor_write
from tingsu.audit.chain import canonical_json
from tingsu.audit.exports import entry_as_dict
from tingsu.audit.maintenance import audit_triggers_missing
from tingsu.audit.models import AuditAnchor, AuditEntry
from tingsu.audit.services import audit_record
from tingsu.audit.verify import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit hash chain, anchor its head, or export entries/anchors as JSON lines."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="Walk the chain; exit 1 naming the first tampered entry.")
        sub.add_parser("anchor", help="Store the chain head as an anchor and write it to the log.")
        export = sub.add_parser("export", help="Print entries (or --anchors) as JSON lines.")
        export.add_argument("--anchors", action="store_true", help="Export anchors instead.")
        export.add_argument(
            "--since-seq", type=int, default=0, help="Only entries after this sequence."
        )

    def handle(self, *args, subcommand: str, **options):
        return getattr(self, f"handle_{subcommand}")(**options)

    def handle_verify(self, **options):
        missing = audit_triggers_missing(connection)
        if missing:
            self.stderr.write(
                "WARNING: append-only triggers missing or disabled: " + ", ".join(missing)
            )
        result = audit_chain_verify()
        if not result.ok:
            self.stderr.write(
                f"TAMPERED ({result.problem}): {result.message} "
                f"[{result.checked} entries verified before it]"
            )
            sys.exit(1)
        self.stdout.write(
            f"OK: {result.checked} entries, chain head #{result.head_seq}, "
            f"{result.anchors_checked} anchors matched."
        )

    def handle_anchor(self, **options):
        anchor = audit_anchor_write()
        if anchor is None:
            raise CommandError("The audit chain is empty: nothing to anchor.")
        self.stdout.write(canonical_json(anchor_as_dict(anchor)))

    def handle_export(self, anchors: bool = False, since_seq: int = 0, **options):
        if anchors:
            for anchor in AuditAnchor.objects.order_by("seq", "id").iterator(chunk_size=2000):
                self.stdout.write(canonical_json(anchor_as_dict(anchor)))
            return
        rows = AuditEntry.objects.filter(seq__gt=since_seq).order_by("seq")
        count = 0
        for entry in rows.iterator(chunk_size=2000):
            self.stdout.write(canonical_json(entry_as_dict(entry)))
            count += 1
        with transaction.atomic():
            audit_record(
                actor=None,
                actor_label="tingsu audit export",
                action="audit.export",
                object_type="audit.auditentry",
                object_id="",
                changes={"format": "jsonl", "since_seq": since_seq, "rows": count},
            )
