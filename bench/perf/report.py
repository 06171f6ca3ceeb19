"""Tables for the terminal and for BENCHMARKS.md, and the JSON record."""

import json
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / "results"


def fmt(value, unit: str = "") -> str:
    return "—" if value is None else f"{value}{unit}"


def rows(result: dict) -> list[tuple[str, str, str, str]]:
    """(operation, p50, p95, note) per measured operation."""
    out = []
    for op in result["operations"]:
        if op["name"] == "intake":
            note = (
                f"{op['ok']} created in {op['seconds']} s at concurrency {op['concurrency']}; "
                f"failed {op['failed']}; case count delta {result.get('case_delta')}"
                f" ({'matches' if result.get('case_delta') == op['ok'] else 'MISMATCH'})"
            )
            out.append(
                (f"intake ({op['per_second']}/s)", fmt(op["p50_ms"]), fmt(op["p95_ms"]), note)
            )
        else:
            note = f"{op['samples']} samples"
            if op["name"] == "search":
                note += f", {result.get('search_hits')} matching cases"
            note += f", failed {op['failed']} {op['statuses']}" if op["failed"] else ""
            out.append((op["name"], fmt(op["p50_ms"]), fmt(op["p95_ms"]), note))
    drain = result.get("drain")
    if drain:
        note = f"{drain['tasks']} tasks queued at the end of intake, {drain['left']} left"
        out.append(("task backlog drained, s", fmt(drain["seconds"]), "", note))
    done = result.get("processed")
    if done:
        # Accepted is not processed (INTAKE_DEFERRED): the honest rate counts the drain.
        note = (
            f"accepted {done['accepted']} in {done['intake_seconds']} s, all processed "
            f"(triaged, routed, SLA) {done['drain_seconds']} s later; "
            f"{done['pending_cases']} still pending, {done['intake_tasks_failed']} failed"
        )
        out.append((f"intake end to end ({done['processed_per_second']}/s)", "", "", note))
        cpu = done.get("cpu_ms_per_complaint")
        if cpu:
            note = ", ".join(f"{group} {ms}" for group, ms in cpu.items())
            total = round(sum(cpu.values()), 1)
            out.append(("CPU per complaint, ms", fmt(total), "", f"intake to drained: {note}"))
    rss = result.get("rss", {})
    out.append(("web worker peak RSS", fmt(rss.get("web_worker_peak_rss_mb"), " MB"), "", ""))
    out.append(("task worker peak RSS", fmt(rss.get("task_worker_peak_rss_mb"), " MB"), "", ""))
    return out


def task_workers(result: dict) -> int:
    """db_worker processes of a run (runs saved before the option had one)."""
    return int(result["server"].get("task_workers", 1))


def text_table(result: dict) -> str:
    lines = [
        f"{result['system']} on {result['engine']}, {result['cases']:,} cases, "
        f"{result['server']['workers']} workers x {result['server']['threads']} threads, "
        f"{task_workers(result)} task worker(s)",
        f"{'operation':<28} {'p50 ms':>9} {'p95 ms':>9}  note",
    ]
    for name, p50, p95, note in rows(result):
        lines.append(f"{name:<28} {p50:>9} {p95:>9}  {note}")
    return "\n".join(lines)


def markdown(result: dict) -> str:
    m, v = result["machine"], result["versions"]
    head = (
        f"\n#### {result['system']}, {result['engine']}, {result['cases']:,} cases "
        f"({time.strftime('%Y-%m-%d', time.gmtime(result['started']))})\n\n"
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['ram_gb']} GB RAM, load average at start "
        f"{m['load_average']}. Python {v.get('python')}, Django {v.get('django')}, "
        f"SQLite {v.get('sqlite')}"
        + (f", PostgreSQL {result['postgres']}" if result.get("postgres") else "")
        + f". Database size {result['db_mb']} MB. Gunicorn {result['server']['workers']} "
        f"workers x {result['server']['threads']} threads, {task_workers(result)} task "
        "worker(s).\n\n"
        f"Command: `{result['command']}`\n\n"
        "| operation | p50 ms | p95 ms | note |\n|---|---:|---:|---|\n"
    )
    body = "".join(f"| {a} | {b} | {c} | {d} |\n" for a, b, c, d in rows(result))
    return head + body


def save(result: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(result["started"]))
    path = RESULTS / f"{result['system']}-{result['engine']}-{result['cases']}-{stamp}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return path
