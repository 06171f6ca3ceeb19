"""How fast `tingsu audit verify` walks a long chain, and whether its memory stays flat.

Builds a chain of N entries in a throw-away database (a SQLite file by default, or the
DATABASE_URL you pass), then times the verification and prints entries per second and the
process's peak memory before and after. Prints figures; it is not a pass/fail test.

    .venv/bin/python bench/audit_verify_bench.py --entries 200000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_audit \
        .venv/bin/python bench/audit_verify_bench.py --entries 1000000
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_chain(n: int, batch: int = 5000) -> None:
    from django.db import transaction
    from django.utils import timezone

    from tingsu.audit.chain import GENESIS_HASH, entry_hash
    from tingsu.audit.models import AuditChainHead, AuditEntry

    start = timezone.now() - timedelta(days=365)
    prev, seq = GENESIS_HASH, 0
    while seq < n:
        rows = []
        for _ in range(min(batch, n - seq)):
            seq += 1
            content = {
                "seq": seq,
                "created_at": start + timedelta(seconds=seq * 30),
                "actor_id": None,
                "actor_label": f"agent{seq % 50}",
                "action": "case.update",
                "object_type": "cases.case",
                "object_id": str(seq // 7),
                "changes": {"status": {"before": "new", "after": "in_progress"}, "备注": "改派"},
                "ip": "203.0.113.7",
                "user_agent": "Mozilla/5.0 (bench)",
                "prev_hash": prev,
            }
            prev = entry_hash(**content)
            rows.append(AuditEntry(hash=prev, **content))
        with transaction.atomic():
            AuditEntry.objects.bulk_create(rows)
    AuditChainHead.objects.update_or_create(pk=1, defaults={"seq": seq, "hash": prev})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=200_000)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="tingsu-audit-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("TINGSU_VAR_DIR", tmp)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tingsu.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from tingsu.audit.models import AuditEntry
    from tingsu.audit.verify import audit_chain_verify

    call_command("migrate", verbosity=0)
    if AuditEntry.objects.exists():
        sys.exit("The bench database must be empty (audit entries cannot be deleted).")
    t = time.perf_counter()
    build_chain(args.entries)
    print(f"built {args.entries} entries in {time.perf_counter() - t:.1f} s")
    before = peak_mb()
    t = time.perf_counter()
    result = audit_chain_verify()
    took = time.perf_counter() - t
    assert result.ok, result.message
    print(f"verified {result.checked} entries in {took:.1f} s ({result.checked / took:,.0f}/s)")
    print(f"peak RSS before verify {before:.0f} MB, after {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
