"""Re-encrypt personal data under the current key and re-compute blind indexes, online.

Rows are read and written in batches by primary key. Each write is a compare-and-swap on
the ciphertext read (UPDATE ... WHERE the columns still hold what was read), so a row an
agent edits meanwhile is never overwritten with stale data: it is counted as `changed`
and picked up by the next run. Old keys keep decrypting throughout, so the app keeps
working; running it again when nothing is left to do changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction

from tingsu.customers.models import ENCRYPTED_FIELDS, INDEXED_FIELDS, Customer
from tingsu.privacy import crypto


@dataclass
class RotationResult:
    scanned: int = 0
    reencrypted: int = 0
    reindexed: int = 0
    changed: int = 0  # edited between read and write: left for the next run
    errors: list[str] = field(default_factory=list)

    @property
    def rewritten(self) -> int:
        return self.reencrypted + self.reindexed


def _plan(row: dict[str, str]) -> tuple[dict[str, str], bool, bool]:
    """New column values for one raw row, and whether data / index changed."""
    updates: dict[str, str] = {}
    plain: dict[str, str] = {}
    model_field = Customer._meta.get_field
    for name in ENCRYPTED_FIELDS:
        context = model_field(name).context
        plain[name] = crypto.decrypt(row[name], context=context)
        if crypto.needs_reencryption(row[name]):
            updates[name] = crypto.encrypt(plain[name], context=context)
    reencrypted = bool(updates)
    reindexed = False
    for source, index in INDEXED_FIELDS.items():
        wanted = model_field(index).compute(plain[source])
        if row[index] != wanted:
            updates[index] = wanted
            reindexed = True
    return updates, reencrypted, reindexed


def cas_update(table: str, pk: int, row: dict[str, str], updates: dict[str, str]) -> bool:
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(c)} = %s" for c in updates)
    conds = " AND ".join(f"{quote(c)} = %s" for c in updates)
    sql = f"UPDATE {quote(table)} SET {sets} WHERE {quote('id')} = %s AND {conds}"  # noqa: S608
    params = [*updates.values(), pk, *(row[c] for c in updates)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1


def keys_rotate(
    *, batch_size: int = 500, progress: Callable[[RotationResult], None] | None = None
) -> RotationResult:
    result = RotationResult()
    table = Customer._meta.db_table
    columns = ["id", *ENCRYPTED_FIELDS, *INDEXED_FIELDS.values()]
    quote = connection.ops.quote_name
    select = (
        f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)} "  # noqa: S608
        f"WHERE {quote('id')} > %s ORDER BY {quote('id')} LIMIT %s"
    )
    last = 0
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(select, [last, batch_size])
                rows = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
            for row in rows:
                result.scanned += 1
                try:
                    updates, reencrypted, reindexed = _plan(row)
                except crypto.DecryptionError as exc:
                    result.errors.append(f"customer {row['id']}: {exc}")
                    continue
                if not updates:
                    continue
                if not cas_update(table, row["id"], row, updates):
                    result.changed += 1
                    continue
                result.reencrypted += reencrypted
                result.reindexed += reindexed
        if not rows:
            break
        last = rows[-1]["id"]
        if progress:
            progress(result)
    return result


def tally_key_ids(values: Iterable[str | None], counts: dict[str, int]) -> dict[str, int]:
    """Add each non-empty stored value to `counts` under its key id ("plaintext" for
    legacy). Returns `counts`."""
    for value in values:
        if value:
            kid = crypto.key_id_of(value) or "plaintext"
            counts[kid] = counts.get(kid, 0) + 1
    return counts


def keys_status() -> dict[str, int]:
    """How many non-empty encrypted values each key id holds ("plaintext" for legacy)."""
    counts: dict[str, int] = {}
    table, quote = Customer._meta.db_table, connection.ops.quote_name
    cols = ", ".join(quote(c) for c in ENCRYPTED_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {cols} FROM {quote(table)}")  # noqa: S608
        for row in cursor.fetchall():
            tally_key_ids(row, counts)
    return counts
