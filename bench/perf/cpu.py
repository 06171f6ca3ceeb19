"""CPU time spent by the processes of a run, read from /proc: where the cores go per
complaint (web, task workers, PostgreSQL, the load generator).

A process group's total is the user and system time of its live processes plus what its
parent has collected from children that exited (`cutime`, `cstime`): gunicorn's master for
the workers it replaced, the postmaster for the backends of closed connections. The
difference of two totals is the group's CPU time between them, exits included.
"""

import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name may hold spaces and parentheses: the fields follow the last ")".
    return text.rsplit(")", 1)[1].split()


def own_seconds(pid: int) -> float:
    """User and system time of one live process."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICK if fields else 0.0


def reaped_seconds(pid: int) -> float:
    """The time of the children a process has waited for."""
    fields = _stat(pid)
    return (int(fields[13]) + int(fields[14])) / TICK if fields else 0.0


def children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def tree_seconds(pid: int) -> float:
    """A process, its live children, and the children it reaped."""
    return own_seconds(pid) + reaped_seconds(pid) + sum(own_seconds(c) for c in children(pid))


def postmaster_pid() -> int | None:
    """The local PostgreSQL server's main process, if this user can see it."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmdline and cmdline[0].endswith(b"/postgres") and b"-D" in cmdline:
            return int(entry.name)
    return None


def per_complaint_ms(before: dict, after: dict, complaints: int) -> dict:
    """Milliseconds of CPU per complaint, by group, between two readings."""
    if not complaints:
        return {}
    return {
        group: round((after[group] - before[group]) * 1000 / complaints, 1)
        for group in before
        if group in after
    }
