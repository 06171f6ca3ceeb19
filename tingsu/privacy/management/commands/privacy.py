"""`tingsu privacy retention|export-subject|erase-subject` (README "Personal data")."""

import json

from django.core.management.base import BaseCommand, CommandError

from tingsu.core.errors import TingsuError
from tingsu.privacy.retention import retention_run
from tingsu.privacy.subjects import subject_erase, subject_export, subject_find


def _subject_args(parser):
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--customer", type=int, help="Customer ID")
    group.add_argument("--phone", help="Phone number, any format")
    group.add_argument("--email")


class Command(BaseCommand):
    help = "Retention and data-subject requests for personal data."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        retention = sub.add_parser("retention", help="Anonymise closed cases past their policy.")
        retention.add_argument("--dry-run", action="store_true", help="Only list what is due.")
        export = sub.add_parser("export-subject", help="Everything about a customer, as JSON.")
        _subject_args(export)
        export.add_argument("--output", help="Write to this file instead of stdout.")
        erase = sub.add_parser("erase-subject", help="Pseudonymise a customer (not legal hold).")
        _subject_args(erase)

    def handle(self, *args, action: str, **options):
        if action == "retention":
            return self.retention(options["dry_run"])
        try:
            customer = subject_find(
                customer_id=options["customer"],
                phone=options["phone"] or "",
                email=options["email"] or "",
            )
        except TingsuError as exc:
            raise CommandError(exc.message) from None
        if action == "export-subject":
            text = json.dumps(
                subject_export(actor=None, customer=customer), ensure_ascii=False, indent=2
            )
            if options["output"]:
                with open(options["output"], "w", encoding="utf-8") as f:
                    f.write(text)
                self.stdout.write(f"Wrote {options['output']}")
            else:
                self.stdout.write(text)
            return
        result = subject_erase(actor=None, customer=customer)
        self.stdout.write(
            f"Customer {result.customer_id}: pseudonymised={result.customer_pseudonymised}, "
            f"{len(result.anonymised_cases)} cases anonymised."
        )
        if result.skipped_cases:
            self.stdout.write(
                f"Skipped (legal hold: {result.skipped_reason}): {', '.join(result.skipped_cases)}"
            )

    def retention(self, dry_run: bool):
        result = retention_run(dry_run=dry_run)
        verb = "Due" if dry_run else "Anonymised"
        self.stdout.write(f"{verb}: {len(result.cases)} cases")
        for number in result.cases:
            self.stdout.write(f"  {number}")
        if not dry_run:
            self.stdout.write(f"Pseudonymised: {len(result.customers)} customers")
