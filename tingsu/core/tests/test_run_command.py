"""`tingsu run` started for real: three children, /healthz answers, and Ctrl-C (or one
child dying) leaves no process behind."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

TINGSU = str(Path(sys.executable).with_name("tingsu"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) for every live process, read from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        table[int(entry.name)] = (int(fields[1]), fields[0])
    return table


def descendants(pid: int) -> set[int]:
    table = proc_table()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, (ppid, _) in table.items() if ppid in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    state = proc_table().get(pid)
    return state is not None and state[1] != "Z"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.fixture
def started(tmp_path):
    """Start `tingsu run` on a fresh SQLite database; wait for /healthz to answer 200."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "TINGSU_VAR_DIR": str(tmp_path / "var"),
    }
    log = (tmp_path / "run.log").open("w")
    proc = subprocess.Popen(
        [TINGSU, "run", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/healthz"
    # Bounded; migrating a fresh database on a loaded CI machine can be slow.
    deadline = time.monotonic() + 180
    status = None
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                status = response.status
                break
        except OSError:
            time.sleep(0.25)
    children = descendants(proc.pid)
    yield proc, status, children, tmp_path / "run.log"
    if proc.poll() is None:  # the test failed half-way: clean up
        proc.kill()
        proc.wait()
    for pid in descendants(proc.pid) | children:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def wait_gone(pids: set[int], timeout: float = 20) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = {p for p in pids if alive(p)}
        if not left:
            return left
        time.sleep(0.2)
    return {p for p in pids if alive(p)}


def test_it_serves_healthz_and_stops_every_process_on_ctrl_c(started):
    proc, status, children, log = started
    assert status == 200, log.read_text()
    commands = " | ".join(cmdline(p) for p in children)
    assert "gunicorn" in commands and "db_worker" in commands and "scheduler" in commands
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0, log.read_text()
    assert wait_gone(children) == set(), log.read_text()
    output = log.read_text()
    assert "http://127.0.0.1:" in output
    assert "Stopped the web server, the worker and the scheduler." in output


def test_it_stops_the_others_and_fails_when_one_process_dies(started):
    proc, status, children, log = started
    assert status == 200, log.read_text()
    scheduler = next(p for p in children if "django scheduler" in cmdline(p))
    os.kill(scheduler, signal.SIGKILL)
    assert proc.wait(timeout=30) != 0, log.read_text()
    assert wait_gone(children) == set(), log.read_text()
    assert "The scheduler process exited" in log.read_text()
