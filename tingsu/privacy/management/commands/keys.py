"""`tingsu keys rotate|status|generate`: encryption keys of personal data (README
"Personal data")."""

from django.core.management.base import BaseCommand, CommandError

from tingsu.privacy import crypto
from tingsu.privacy.rotation import keys_rotate, keys_status
from tingsu.privacy.rotation_more import files_status, others_rotate, others_status


class Command(BaseCommand):
    help = "Rotate, inspect or generate the keys that encrypt personal data."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rotate = sub.add_parser("rotate", help="Re-encrypt rows under the current key, online.")
        rotate.add_argument("--batch-size", type=int, default=500)
        rotate.add_argument(
            "--no-files",
            action="store_true",
            help="Leave the stored files (attachments, raw inbound messages) for a later run.",
        )
        status = sub.add_parser("status", help="Count encrypted values and files per key id.")
        status.add_argument(
            "--no-files",
            action="store_true",
            help="Skip the stored files (each file's header is read).",
        )
        generate = sub.add_parser("generate", help="Print a new key as kid:base64.")
        generate.add_argument("kid", help="Key id, e.g. 2026-11")

    def handle(self, *args, action: str, **options):
        if action == "generate":
            if ":" in options["kid"] or "," in options["kid"]:
                raise CommandError("A key id cannot contain ':' or ','.")
            self.stdout.write(f"{options['kid']}:{crypto.generate_key()}")
            return
        data, index = crypto.data_keyring(), crypto.index_keyring()
        if data.is_dev or index.is_dev:
            self.stderr.write(
                self.style.WARNING("Development keys in use: set TINGSU_PII_KEYS and _INDEX_KEYS.")
            )
        if action == "status":
            self.stdout.write(
                f"current data key: {data.current_kid}; index key: {index.current_kid}"
            )
            for kid, n in sorted(others_status(keys_status()).items()):
                self.stdout.write(f"  {kid}: {n} values")
            if not options["no_files"]:
                for kid, n in sorted(files_status().items()):
                    self.stdout.write(f"  {kid}: {n} files")
            return
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        self.stdout.write(f"Rotating to data key {data.current_kid}, index key {index.current_kid}")

        def progress(r):
            self.stdout.write(
                f"  scanned {r.scanned}: re-encrypted {r.reencrypted}, re-indexed {r.reindexed}, "
                f"changed meanwhile {r.changed}, errors {len(r.errors)}"
            )

        result = keys_rotate(batch_size=options["batch_size"], progress=progress)
        others = others_rotate(files=not options["no_files"])
        errors = [*result.errors, *others.errors]
        for error in errors:
            self.stderr.write(error)
        self.stdout.write(
            f"Done: {result.scanned} customers scanned, {result.reencrypted} re-encrypted, "
            f"{result.reindexed} re-indexed, {result.changed} changed meanwhile (run again), "
            f"{len(result.errors)} errors."
        )
        self.stdout.write(
            f"Other values re-encrypted: {others.values} ({others.changed} changed meanwhile); "
            f"files: {others.files_scanned} scanned, {others.files_resealed} re-encrypted, "
            f"{others.files_missing} missing."
        )
        if errors:
            raise CommandError(f"{len(errors)} values or files could not be decrypted.")
