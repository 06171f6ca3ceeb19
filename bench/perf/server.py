"""Start the server under test (gunicorn and a task worker), wait until it answers, read
the peak memory of its processes, and stop it again."""

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.perf import cpu


@dataclass
class Server:
    web: subprocess.Popen
    workers: list[subprocess.Popen] = field(default_factory=list)

    def gunicorn_worker_pids(self) -> list[int]:
        """Gunicorn's workers are the children of its master process."""
        return cpu.children(self.web.pid)

    def peak_rss_mb(self) -> dict[str, float | None]:
        web = [vm_hwm_mb(pid) for pid in self.gunicorn_worker_pids()]
        tasks = [vm_hwm_mb(p.pid) for p in self.workers]
        web = [x for x in web if x is not None]
        tasks = [x for x in tasks if x is not None]
        return {
            "web_worker_peak_rss_mb": max(web) if web else None,
            "task_worker_peak_rss_mb": max(tasks) if tasks else None,
        }

    def cpu_seconds(self, *, postgres: bool) -> dict[str, float]:
        """CPU time so far of the web tier (gunicorn and its workers), the task workers and,
        if `postgres`, the local PostgreSQL server (bench.perf.cpu)."""
        out = {
            "web": cpu.tree_seconds(self.web.pid),
            "task workers": sum(cpu.tree_seconds(p.pid) for p in self.workers),
        }
        master = cpu.postmaster_pid() if postgres else None
        if master is not None:
            out["PostgreSQL"] = cpu.tree_seconds(master)
        return out

    def stop(self) -> None:
        processes = [self.web, *self.workers]
        for process in processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def vm_hwm_mb(pid: int) -> float | None:
    """Peak resident set size (VmHWM) of a process, in MB; psutil is not needed."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def start(
    *,
    web_argv: list[str],
    worker_argvs: list[list[str]],
    env: dict[str, str],
    cwd: Path,
    health_url: str,
    log: Path,
    ready_timeout: float = 120,
) -> Server:
    """Each process gets its own process group, so stop() reaches gunicorn's workers too."""
    out = log.open("ab")
    web = subprocess.Popen(  # noqa: S603 - fixed argv built by the benchmark
        web_argv, env=env, cwd=cwd, stdout=out, stderr=out, process_group=0
    )
    workers = [
        subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=out, process_group=0)  # noqa: S603
        for argv in worker_argvs
    ]
    server = Server(web=web, workers=workers)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if web.poll() is not None:
            server.stop()
            raise RuntimeError(f"the web server exited with {web.returncode}; see {log}")
        try:
            if httpx.get(health_url, timeout=2).status_code < 500:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"the web server did not answer {health_url} in time; see {log}")
