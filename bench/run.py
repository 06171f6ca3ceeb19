"""Tingsu's performance benchmark (issue 6): seed N cases, serve with gunicorn and a task
worker, drive load from a separate process, print p50/p95 per operation and peak RSS.

    .venv/bin/python bench/run.py --database-url sqlite:///var/bench/tingsu.sqlite3 \
        --cases 100000
    .venv/bin/python bench/run.py \
        --database-url postgres://postgres@127.0.0.1:5432/bench_tingsu --cases 100000

Results go to bench/results/*.json; --markdown appends a table to BENCHMARKS.md.
"""

import argparse
import json
import os
import resource
import shlex
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.perf import cpu, report, server  # noqa: E402
from bench.perf.database import ensure_database  # noqa: E402
from bench.perf.machine import machine_info, versions  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=f"sqlite:///{REPO / 'var' / 'bench' / 'tingsu.sqlite3'}"
    )
    parser.add_argument("--cases", type=int, default=100_000, help="seed up to this many")
    parser.add_argument("--intake-seconds", type=float, default=30)
    parser.add_argument("--concurrency", type=int, default=8, help="intake concurrency")
    parser.add_argument("--requests", type=int, default=200, help="samples per read operation")
    parser.add_argument(
        "--op-seconds", type=float, default=300, help="time budget per read operation"
    )
    parser.add_argument("--warmup", type=int, default=10, help="unrecorded samples first")
    # 2 cores: two processes keep both busy (one GIL each), and threads overlap the
    # database waits; see BENCHMARKS.md for the measured alternatives.
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    # The worker tier: django-tasks-db workers claim with SKIP LOCKED (PostgreSQL) or an
    # exclusive transaction (SQLite), so several never run one task twice.
    parser.add_argument("--task-workers", type=int, default=1, help="db_worker processes")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--settings", default="tingsu.settings", help="DJANGO_SETTINGS_MODULE")
    parser.add_argument("--markdown", action="store_true", help="append a table to BENCHMARKS.md")
    return parser.parse_args(argv)


def tingsu_env(args: argparse.Namespace) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": args.settings,
        "TINGSU_DEBUG": "0",
        "TINGSU_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",
    }
    if args.database_url.startswith("sqlite:///"):
        Path(args.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return env


def run_json(argv: list[str], env: dict[str, str], stdin: str | None = None) -> dict | list:
    out = subprocess.run(  # noqa: S603 - our own argv
        argv, env=env, cwd=REPO, input=stdin, capture_output=True, text=True
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"failed: {shlex.join(argv)}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def plan_for(info: dict, args: argparse.Namespace) -> dict:
    cookie = "; ".join(f"{k}={v}" for k, v in info["session_cookie"].items())
    page = {"Cookie": cookie}
    statuses = "&".join(f"status={s}" for s in info["open_statuses"])
    numbers = info["case_numbers"] or []
    return {
        "base_url": f"http://127.0.0.1:{args.port}",
        "requests": args.requests,
        "warmup": args.warmup,
        "op_seconds": args.op_seconds,
        "intake": {
            "path": "/api/v1/complaints",
            "body": "tingsu",
            "extra": {"marker": info["search"]},
            "seconds": args.intake_seconds,
            "concurrency": args.concurrency,
            "headers": {"Authorization": f"Bearer {info['intake_key']}"},
        },
        "ops": [
            {"name": "queue", "samples": [["/desk/"]], "headers": page},
            {
                "name": "queue filtered",
                "samples": [[f"/desk/?tab=department&{statuses}&sort=due"]],
                "headers": page,
            },
            {
                "name": "case page",
                "samples": [[f"/desk/cases/{n}/"] for n in numbers] or [["/desk/"]],
                "headers": page,
            },
            {
                "name": "search",
                "samples": [[f"/desk/?q={quote(info['search'])}"]],
                "headers": page,
            },
            {
                "name": "api list",
                "samples": [["/api/v1/complaints?limit=25"]],
                "headers": {"Authorization": f"Bearer {info['read_key']}"},
            },
        ],
    }


def children_cpu() -> float:
    """CPU seconds of this process's finished children (the load generator's runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def is_local(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in ("", "127.0.0.1", "localhost", "::1")


def wait_for_tasks(env: dict[str, str], timeout: float = 600) -> dict:
    """Until no task is ready or running (one process polls once a second, so the drain does
    not share the cores with a Django start-up per poll): how long it took, how many were
    there and how many were left."""
    return run_json([PYTHON, "bench/perf/prepare_tingsu.py", "--wait-tasks", str(timeout)], env)


# Run in the server's environment after the drain: every accepted case must have been
# processed (INTAKE_DEFERRED: triage, routing, SLA timers by the task worker).
PROCESSED_PROBE = """
import json, sys
from datetime import datetime, timezone
import django
django.setup()
from django_tasks_db.models import DBTaskResult
from tingsu.cases.models import Case
from tingsu.cases.tasks import case_intake_drain_task, case_process_intake_task
since = datetime.fromtimestamp(float(sys.argv[1]), tz=timezone.utc)
paths = [case_intake_drain_task.module_path, case_process_intake_task.module_path]
tasks = DBTaskResult.objects.filter(task_path__in=paths, enqueued_at__gte=since)
last = tasks.filter(status="SUCCESSFUL").order_by("-finished_at").values_list(
    "finished_at", flat=True
).first()
print(json.dumps({
    "last_finished": last.timestamp() if last else None,
    "pending_cases": Case.objects.filter(intake_pending_since__isnull=False).count(),
    "intake_tasks_done": tasks.filter(status="SUCCESSFUL").count(),
    "intake_tasks_failed": tasks.filter(status="FAILED").count(),
}))
"""


def processed_check(env: dict[str, str], since: float, ended: float, intake: dict) -> dict:
    """Accepted N in S s; all processed D s after the intake ended: N / (S + D) processed
    per second. D comes from the last intake task's finish time in the database, not from
    the polling (each poll starts a Python process, seconds on a busy machine)."""
    found = run_json([PYTHON, "-c", PROCESSED_PROBE, str(since)], env)
    accepted, seconds = intake["ok"], intake["seconds"]
    after = max(0.0, (found["last_finished"] or ended) - ended)
    total = seconds + after
    return {
        **found,
        "accepted": accepted,
        "intake_seconds": seconds,
        "drain_seconds": round(after, 1),
        "processed_per_second": round(accepted / total, 1) if total else 0.0,
        "all_processed": found["pending_cases"] == 0 and found["intake_tasks_failed"] == 0,
    }


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    env = tingsu_env(args)
    ensure_database(args.database_url)
    started = time.time()
    print(f"preparing {args.database_url} with {args.cases} cases ...", flush=True)
    info = run_json([PYTHON, "bench/perf/prepare_tingsu.py", "--cases", str(args.cases)], env)
    if info["seeding"]:
        s = info["seeding"]
        print(f"seeded {s['cases']} cases in {s['seconds']} s ({s['cases_per_s']} cases/s)")
    gunicorn = [PYTHON, "-m", "gunicorn", "tingsu.wsgi:application"]
    gunicorn += ["--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers)]
    if args.threads > 1:
        gunicorn += ["--worker-class", "gthread", "--threads", str(args.threads)]
    gunicorn += ["--log-level", "warning", "--timeout", "120"]
    worker = [PYTHON, "-m", "django", "db_worker", "--no-reload"]
    (REPO / "var" / "bench").mkdir(parents=True, exist_ok=True)
    srv = server.start(
        web_argv=gunicorn,
        worker_argvs=[worker] * args.task_workers,
        env=env,
        cwd=REPO,
        health_url=f"http://127.0.0.1:{args.port}/healthz",
        log=REPO / "var" / "bench" / "tingsu-server.log",
    )
    try:
        plan = plan_for(info, args)
        load = [PYTHON, "-m", "bench.perf.load"]
        # Intake first, then let the task worker finish what intake queued (notifications,
        # webhooks) before the reads, so the read latencies are not the worker's backlog.
        postgres = info["engine"] == "postgresql" and is_local(args.database_url)
        cpu_before = {**srv.cpu_seconds(postgres=postgres), "load generator": children_cpu()}
        intake_started = time.time()
        operations = run_json(load, env, stdin=json.dumps({**plan, "ops": []}))
        intake_ended = time.time()
        load_cpu = children_cpu()  # before the drain's poller, also a child, adds to it
        drain = wait_for_tasks(env)
        cpu_after = {**srv.cpu_seconds(postgres=postgres), "load generator": load_cpu}
        print(f"task worker drained the intake's tasks in {drain['seconds']} s", flush=True)
        intake_op = next(op for op in operations if op["name"] == "intake")
        processed = processed_check(env, intake_started, intake_ended, intake_op)
        # From the first complaint sent until the worker drained the last one's tasks.
        processed["cpu_ms_per_complaint"] = cpu.per_complaint_ms(
            cpu_before, cpu_after, intake_op["ok"]
        )
        print(
            f"accepted {processed['accepted']} in {processed['intake_seconds']} s "
            f"({intake_op['per_second']}/s); all processed (triaged, routed, SLA) after "
            f"{processed['drain_seconds']} s more -> {processed['processed_per_second']} "
            f"processed/s; pending left {processed['pending_cases']}, "
            f"failed tasks {processed['intake_tasks_failed']}",
            flush=True,
        )
        reads = {**plan, "intake": {**plan["intake"], "seconds": 0}}
        operations += run_json(load, env, stdin=json.dumps(reads, ensure_ascii=False))
        rss = srv.peak_rss_mb()
    finally:
        srv.stop()
    after = run_json([PYTHON, "bench/perf/prepare_tingsu.py", "--count-only"], env)["cases"]
    result = {
        "system": "tingsu",
        "engine": info["engine"],
        "cases": info["cases"],
        "case_delta": after - info["cases"],
        "db_mb": round(info["db_bytes"] / 2**20, 1),
        "search_hits": info["search_hits"],
        "seeding": info["seeding"],
        "started": started,
        "command": shlex.join(["python", "bench/run.py", *(argv or sys.argv[1:])]),
        "server": {
            "workers": args.workers,
            "threads": args.threads,
            "task_workers": args.task_workers,
            "settings": args.settings,
        },
        "machine": machine_info(),
        "versions": versions(PYTHON, modules=("django", "gunicorn"), cwd=REPO),
        "postgres": info["server_version"],
        "operations": operations,
        "rss": rss,
        "drain": drain,
        "processed": processed,
    }
    path = report.save(result)
    print(report.text_table(result))
    print(f"saved {path.relative_to(REPO)}")
    if args.markdown:
        with (REPO / "BENCHMARKS.md").open("a") as f:
            f.write(report.markdown(result))
        print("appended to BENCHMARKS.md")
    if not processed["all_processed"]:
        raise SystemExit(
            f"not every accepted case was processed: {processed['pending_cases']} still "
            f"pending, {processed['intake_tasks_failed']} intake tasks failed"
        )
    return result


if __name__ == "__main__":
    main()
