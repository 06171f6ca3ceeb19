"""Key rotation beyond the customers' contact data (privacy.rotation): the other encrypted
columns (the IMAP mailbox password, the call-back number) and the stored files
(attachments, raw inbound messages; privacy.storage). The same rules hold: old keys keep
decrypting throughout, a value changed meanwhile is left for the next run, and a run with
nothing to do changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import connection

from tingsu.privacy import crypto
from tingsu.privacy.rotation import cas_update, tally_key_ids


@dataclass
class OtherRotation:
    values: int = 0  # column values re-encrypted
    files_scanned: int = 0
    files_resealed: int = 0
    files_missing: int = 0
    changed: int = 0  # edited between read and write: left for the next run
    errors: list[str] = field(default_factory=list)


def encrypted_columns() -> list[tuple[type, str]]:
    """(model, field) of the encrypted columns outside customers.Customer."""
    from tingsu.channels.email.models import Mailbox
    from tingsu.channels.phone.models import CallbackTask

    return [(Mailbox, "password"), (CallbackTask, "caller")]


def stored_files() -> list[tuple[type, str]]:
    """(model, file field) of the files kept encrypted by privacy.storage."""
    from tingsu.cases.models import Attachment
    from tingsu.channels.models import InboundRecord

    return [(Attachment, "file"), (InboundRecord, "raw")]


def _stored(model: type, name: str) -> list[tuple[int, str]]:
    """(pk, the column as stored), bypassing the field's decryption."""
    quote, table = connection.ops.quote_name, model._meta.db_table
    sql = f"SELECT {quote('id')}, {quote(name)} FROM {quote(table)}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [(pk, value) for pk, value in cursor.fetchall() if value]


def others_rotate(*, files: bool = True) -> OtherRotation:
    result = OtherRotation()
    for model, name in encrypted_columns():
        context = model._meta.get_field(name).context
        for pk, stored in _stored(model, name):
            if not crypto.needs_reencryption(stored):
                continue
            try:
                sealed = crypto.encrypt(crypto.decrypt(stored, context=context), context=context)
            except crypto.DecryptionError as exc:
                result.errors.append(f"{model._meta.label_lower} {pk}: {exc}")
                continue
            if cas_update(model._meta.db_table, pk, {name: stored}, {name: sealed}):
                result.values += 1
            else:
                result.changed += 1
    if files:
        _files_rotate(result)
    return result


def _files_rotate(result: OtherRotation) -> None:
    reseal = getattr(default_storage, "reseal", None)
    if reseal is None:
        return  # a storage that does not encrypt: nothing to rotate
    for model, name in stored_files():
        for pk, path in _stored(model, name):
            result.files_scanned += 1
            try:
                result.files_resealed += reseal(path)
            except FileNotFoundError:
                result.files_missing += 1
            except crypto.DecryptionError as exc:
                result.errors.append(f"{model._meta.label_lower} {pk}: {exc}")


def others_status(counts: dict[str, int] | None = None) -> dict[str, int]:
    """How many values of the other encrypted columns each key id holds, added to `counts`
    (keys_status(), say) when given."""
    counts = {} if counts is None else counts
    for model, name in encrypted_columns():
        tally_key_ids((stored for _pk, stored in _stored(model, name)), counts)
    return counts


# keys status for the stored files: files sealed before encryption, and files a row names
# but the storage does not have.
PLAIN_FILES, MISSING_FILES = "unencrypted", "missing"


def files_status() -> dict[str, int]:
    """How many stored files (attachments, raw inbound messages) each key id seals, read
    from each file's header; PLAIN_FILES and MISSING_FILES count the others. Empty for a
    storage that does not encrypt."""
    key_id_of = getattr(default_storage, "sealed_key_id", None)
    counts: dict[str, int] = {}
    if key_id_of is None:
        return counts
    for model, name in stored_files():
        for _pk, path in _stored(model, name):
            try:
                kid = key_id_of(path) or PLAIN_FILES
            except FileNotFoundError:
                kid = MISSING_FILES
            counts[kid] = counts.get(kid, 0) + 1
    return counts
