"""Tingsu and django-helpdesk side by side, in one run on the same machine and database
engine: runs bench/run.py and bench/peer/run.py with the same N, worker count and load,
then prints one table with the ratio per operation.

    .venv/bin/python bench/compare.py --engine sqlite --cases 100000
    .venv/bin/python bench/compare.py --engine postgres --cases 100000 --markdown

--tingsu-json/--peer-json print the table from two saved results instead.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import run as tingsu_run  # noqa: E402
from bench.peer import run as peer_run  # noqa: E402
from bench.perf import report  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
POSTGRES = "postgres://postgres@127.0.0.1:5432/"
OPERATIONS = ("intake", "queue", "queue filtered", "case page", "search", "api list")


def urls(engine: str, cases: int) -> tuple[str, str]:
    """One database per engine, system and size, so a 100k and a 1M run never share one."""
    if engine == "postgres":
        return POSTGRES + f"bench_tingsu_{cases}", POSTGRES + f"bench_peer_{cases}"
    var = REPO / "var" / "bench"
    return (
        f"sqlite:///{var / f'tingsu-{cases}.sqlite3'}",
        f"sqlite:///{var / f'peer-{cases}.sqlite3'}",
    )


def ratio(ours, theirs, *, higher_is_better: bool) -> str:
    if not ours or not theirs:
        return "—"
    value = ours / theirs if higher_is_better else theirs / ours
    return f"{value:.1f}x"


def comparison_rows(tingsu: dict, peer: dict) -> list[tuple[str, str, str, str]]:
    """(operation, Tingsu, peer, how many times Tingsu is ahead)."""
    ours = {op["name"]: op for op in tingsu["operations"]}
    theirs = {op["name"]: op for op in peer["operations"]}
    rows = []
    for name in OPERATIONS:
        a, b = ours.get(name), theirs.get(name)
        if name == "intake":
            rows.append(
                (
                    "intake, complaints/s (p95 ms)",
                    f"{a['per_second']} ({a['p95_ms']})" if a else "—",
                    f"{b['per_second']} ({b['p95_ms']})" if b else "—",
                    ratio(a and a["per_second"], b and b["per_second"], higher_is_better=True),
                )
            )
            done = (tingsu.get("processed") or {}).get("processed_per_second")
            if done:
                # Tingsu answers before classifying and routing (the task worker does that);
                # the peer does all its work in the request, so its rate is end to end too.
                rows.append(
                    (
                        "intake end to end, complaints/s",
                        str(done),
                        str(b["per_second"]) if b else "—",
                        ratio(done, b and b["per_second"], higher_is_better=True),
                    )
                )
            continue
        rows.append(
            (
                f"{name}, p50 / p95 ms",
                f"{a['p50_ms']} / {a['p95_ms']}" if a else "—",
                f"{b['p50_ms']} / {b['p95_ms']}" if b else "—",
                ratio(a and a["p95_ms"], b and b["p95_ms"], higher_is_better=False),
            )
        )
    for key, label in (("web_worker_peak_rss_mb", "web worker peak RSS, MB"),):
        a, b = tingsu["rss"].get(key), peer["rss"].get(key)
        rows.append((label, str(a), str(b), ratio(a, b, higher_is_better=False)))
    rows.append(("database size, MB", str(tingsu["db_mb"]), str(peer["db_mb"]), ""))
    return rows


def text(tingsu: dict, peer: dict) -> str:
    lines = [
        f"Tingsu vs django-helpdesk {peer['versions'].get('django-helpdesk')} on "
        f"{tingsu['engine']}, {tingsu['cases']:,} / {peer['cases']:,} cases, "
        f"{tingsu['server']['workers']} workers x {tingsu['server']['threads']} threads, "
        f"Tingsu {report.task_workers(tingsu)} task worker(s)",
        f"{'operation':<32} {'Tingsu':>18} {'peer':>18} {'Tingsu ahead':>13}",
    ]
    lines += [f"{a:<32} {b:>18} {c:>18} {d:>13}" for a, b, c, d in comparison_rows(tingsu, peer)]
    if tingsu["cases"] != peer["cases"]:
        # Seeding only tops a database up; a larger leftover makes the sizes differ.
        lines.append(
            "WARNING: the two databases hold different numbers of cases; drop the larger "
            "one (or use fresh database URLs) for a fair comparison."
        )
    return "\n".join(lines)


def markdown(tingsu: dict, peer: dict, command: str) -> str:
    m = tingsu["machine"]
    head = (
        f"\n#### Tingsu vs django-helpdesk {peer['versions'].get('django-helpdesk')}, "
        f"{tingsu['engine']}, {tingsu['cases']:,} cases "
        f"({time.strftime('%Y-%m-%d', time.gmtime(tingsu['started']))})\n\n"
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['ram_gb']} GB RAM, load average at start "
        f"{m['load_average']}. Both on gunicorn, {tingsu['server']['workers']} workers x "
        f"{tingsu['server']['threads']} threads; Tingsu with {report.task_workers(tingsu)} task "
        f"worker(s). Ratio: how many times Tingsu is ahead (rate "
        f"for intake, p95 otherwise).\n\nCommand: `{command}`\n\n"
        "| operation | Tingsu | django-helpdesk | Tingsu ahead |\n|---|---:|---:|---:|\n"
    )
    return head + "".join(
        f"| {a} | {b} | {c} | {d} |\n" for a, b, c, d in comparison_rows(tingsu, peer)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--intake-seconds", type=float, default=30)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--op-seconds", type=float, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--task-workers", type=int, default=1, help="Tingsu's db_worker processes")
    parser.add_argument("--markdown", action="store_true", help="append to BENCHMARKS.md")
    parser.add_argument("--tingsu-json", type=Path)
    parser.add_argument("--peer-json", type=Path)
    args = parser.parse_args()
    if args.tingsu_json and args.peer_json:
        tingsu = json.loads(args.tingsu_json.read_text())
        peer = json.loads(args.peer_json.read_text())
    else:
        ours, theirs = urls(args.engine, args.cases)
        common = [
            *("--cases", str(args.cases), "--intake-seconds", str(args.intake_seconds)),
            *("--requests", str(args.requests), "--warmup", str(args.warmup)),
            *("--op-seconds", str(args.op_seconds)),
            *("--workers", str(args.workers), "--threads", str(args.threads)),
        ]
        workers = ["--task-workers", str(args.task_workers)]
        tingsu = tingsu_run.main(["--database-url", ours, *common, *workers])
        peer = peer_run.main(["--database-url", theirs, *common])
    table = text(tingsu, peer)
    print()
    print(table)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(tingsu["started"]))
    out = report.RESULTS / f"compare-{tingsu['engine']}-{tingsu['cases']}-{stamp}.json"
    out.write_text(json.dumps({"tingsu": tingsu, "peer": peer}, ensure_ascii=False, indent=1))
    if args.markdown:
        command = "python bench/compare.py " + " ".join(sys.argv[1:])
        with (REPO / "BENCHMARKS.md").open("a") as f:
            f.write(markdown(tingsu, peer, command))


if __name__ == "__main__":
    main()
