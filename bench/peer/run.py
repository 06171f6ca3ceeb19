"""The peer benchmark: django-helpdesk in its own virtualenv (bench/peer/.venv, created on
first use from requirements.txt), seeded with the same N tickets of comparable text, served
by gunicorn with the same worker count, measured by the same load generator.

    .venv/bin/python bench/peer/run.py --database-url sqlite:///var/bench/peer.sqlite3 \
        --cases 100000
"""

import argparse
import json
import re
import shlex
import subprocess
import sys
import time
import venv
from pathlib import Path
from urllib.parse import quote

import httpx

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench.perf import report, server  # noqa: E402
from bench.perf.database import ensure_database  # noqa: E402
from bench.perf.machine import machine_info, versions  # noqa: E402

PEER = Path(__file__).resolve().parent
VENV = PEER / ".venv"
PEER_PYTHON = VENV / "bin" / "python"
DATATABLES = re.compile(r"datatables_ticket_list/([A-Za-z0-9_=-]+)")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=f"sqlite:///{REPO / 'var' / 'bench' / 'peer.sqlite3'}"
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--intake-seconds", type=float, default=30)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--op-seconds", type=float, default=300, help="time budget per read operation"
    )
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--markdown", action="store_true", help="append a table to BENCHMARKS.md")
    return parser.parse_args(argv)


def ensure_venv() -> None:
    if PEER_PYTHON.exists():
        return
    print(f"creating {VENV.relative_to(REPO)} and installing requirements.txt ...", flush=True)
    venv.create(VENV, with_pip=True)
    subprocess.run(  # noqa: S603
        [PEER_PYTHON, "-m", "pip", "install", "-q", "-r", PEER / "requirements.txt"], check=True
    )


def peer_env(args: argparse.Namespace) -> dict[str, str]:
    if args.database_url.startswith("sqlite:///"):
        Path(args.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": f"{VENV / 'bin'}:/usr/bin:/bin",
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "settings",
        "PYTHONPATH": str(PEER),
        "PYTHONUNBUFFERED": "1",
        "HOME": str(Path.home()),
    }


def run_json(argv: list, env: dict[str, str], *, cwd: Path = PEER, stdin: str | None = None):
    out = subprocess.run(  # noqa: S603
        [str(a) for a in argv], env=env, cwd=cwd, input=stdin, capture_output=True, text=True
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit(f"failed: {shlex.join(str(a) for a in argv)}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def datatables_url(base: str, page: str, headers: dict[str, str]) -> str:
    """The data request the ticket list page makes from the browser (25 rows)."""
    html = httpx.get(base + page, headers=headers, timeout=60).text
    match = DATATABLES.search(html)
    if not match:
        raise SystemExit(f"no datatables URL in {page}")
    return f"/datatables_ticket_list/{match.group(1)}?draw=1&start=0&length=25"


def plan_for(info: dict, args: argparse.Namespace) -> dict:
    base = f"http://127.0.0.1:{args.port}"
    cookie = "; ".join(f"{k}={v}" for k, v in info["cookies"].items())
    page = {"Cookie": cookie}
    search = f"/tickets/?q={quote(info['search'])}"
    filtered = f"/tickets/?queue={info['queue']}&status=1&status=2&sort=due_date"
    return {
        "base_url": base,
        "requests": args.requests,
        "warmup": args.warmup,
        "op_seconds": args.op_seconds,
        "intake": {
            "path": "/api/tickets/",
            "body": "peer",
            "extra": {"queue": info["queue"], "marker": info.get("search", "")},
            "seconds": args.intake_seconds,
            "concurrency": args.concurrency,
            "headers": {**page, "X-CSRFToken": info["csrf"]},
        },
        "ops": [
            {
                "name": "queue",
                "samples": [["/tickets/", datatables_url(base, "/tickets/", page)]],
                "headers": page,
            },
            {
                "name": "queue filtered",
                "samples": [[filtered, datatables_url(base, filtered, page)]],
                "headers": page,
            },
            {
                "name": "case page",
                "samples": [[f"/tickets/{i}/"] for i in info["ticket_ids"]] or [["/tickets/"]],
                "headers": page,
            },
            {
                "name": "search",
                "samples": [[search, datatables_url(base, search, page)]],
                "headers": page,
            },
            {"name": "api list", "samples": [["/api/tickets/"]], "headers": page},
        ],
    }


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    ensure_venv()
    env = peer_env(args)
    ensure_database(args.database_url)
    started = time.time()
    print(f"preparing the peer on {args.database_url} with {args.cases} tickets ...", flush=True)
    info = run_json([PEER_PYTHON, "prepare_peer.py", "--cases", args.cases], env)
    if info["seeding"]:
        s = info["seeding"]
        print(f"seeded {s['cases']} tickets in {s['seconds']} s ({s['cases_per_s']} tickets/s)")
    gunicorn = [str(PEER_PYTHON), "-m", "gunicorn", "peer_wsgi:application"]
    gunicorn += ["--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers)]
    if args.threads > 1:
        gunicorn += ["--worker-class", "gthread", "--threads", str(args.threads)]
    gunicorn += ["--log-level", "warning", "--timeout", "120"]
    (REPO / "var" / "bench").mkdir(parents=True, exist_ok=True)
    # django-helpdesk sends its mail and webhooks inside the request; it has no task worker.
    srv = server.start(
        web_argv=gunicorn,
        worker_argvs=[],
        env=env,
        cwd=PEER,
        health_url=f"http://127.0.0.1:{args.port}/login/",
        log=REPO / "var" / "bench" / "peer-server.log",
    )
    try:
        plan = plan_for(info, args)
        operations = run_json(
            [sys.executable, "-m", "bench.perf.load"],
            {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
            cwd=REPO,
            stdin=json.dumps(plan, ensure_ascii=False),
        )
        rss = srv.peak_rss_mb()
    finally:
        srv.stop()
    after = run_json([PEER_PYTHON, "prepare_peer.py", "--count-only"], env)["cases"]
    result = {
        "system": "django-helpdesk",
        "engine": info["engine"],
        "cases": info["cases"],
        "case_delta": after - info["cases"],
        "db_mb": round(info["db_bytes"] / 2**20, 1),
        "search_hits": info["search_hits"],
        "seeding": info["seeding"],
        "started": started,
        "command": shlex.join(["python", "bench/peer/run.py", *(argv or sys.argv[1:])]),
        "server": {"workers": args.workers, "threads": args.threads, "settings": "bench/peer"},
        "machine": machine_info(),
        "versions": versions(
            str(PEER_PYTHON), modules=("django", "django-helpdesk", "gunicorn"), cwd=PEER
        ),
        "postgres": info["server_version"],
        "operations": operations,
        "rss": rss,
    }
    path = report.save(result)
    print(report.text_table(result))
    print(f"saved {path.relative_to(REPO)}")
    if args.markdown:
        with (REPO / "BENCHMARKS.md").open("a") as f:
            f.write(report.markdown(result))
    return result


if __name__ == "__main__":
    main()
