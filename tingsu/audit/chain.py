"""The hash chain's canonical form: the same bytes on SQLite and PostgreSQL.

An entry's hash is SHA-256 over a JSON object of its content plus the previous entry's
hash. Keys are sorted, separators fixed, text kept as UTF-8 (ensure_ascii=False) and
the time written as ISO 8601 UTC with microseconds, so the value read back from either
database hashes to what was written.
"""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64

# The columns that make up an entry's hashed content, in the order selectors read them.
HASHED_FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "changes",
    "ip",
    "user_agent",
    "prev_hash",
)


def canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _number(value: float) -> float | int:
    # PostgreSQL's jsonb keeps numbers as decimals: 1e+20 comes back as the integer
    # 100000000000000000000 and -0.0 as 0. Store what both databases give back.
    if value == 0:
        return 0.0
    if value.is_integer() and "e" in repr(value):
        return int(value)
    return value


def normalise_changes(changes: dict[str, Any] | None) -> dict[str, Any]:
    """What the JSON column will give back (tuples become lists, keys become strings)."""
    return json.loads(json.dumps(changes or {}), parse_float=lambda text: _number(float(text)))


def entry_hash(
    *,
    seq: int,
    created_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    changes: dict[str, Any],
    ip: str | None,
    user_agent: str,
    prev_hash: str,
) -> str:
    content = {
        "seq": int(seq),
        "created_at": canonical_time(created_at),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "changes": changes,
        "ip": ip or None,
        "user_agent": user_agent or "",
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()
