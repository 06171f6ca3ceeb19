"""`tingsu run`: the web server, the task worker and the scheduler, together.

Each runs as a child process in its own process group, so Ctrl-C reaches only this
supervisor, which then stops each child once with SIGTERM (a second signal would make
db_worker abort the task it is running). If any child dies, the others are stopped and
the command exits non-zero. On Linux, children also get SIGTERM if the supervisor itself
is killed, so no orphan gunicorn is left behind.
"""

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

STOP_TIMEOUT_SECONDS = 15
READY_TIMEOUT_SECONDS = 60


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _demo_logins_text() -> str:
    try:
        from tingsu.demo.accounts import demo_logins_text
    except ImportError:
        return ""
    return demo_logins_text()


class Command(BaseCommand):
    help = "Run the web server, the task worker and the scheduler until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="host:port for the web")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
        parser.add_argument("--threads", type=int, default=2, help="threads per web worker")
        parser.add_argument("--no-migrate", action="store_true", help="skip `migrate`")

    def handle(self, *args, bind, workers, threads, no_migrate, **options):
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        python = sys.executable
        self.children = [
            Child(
                "web",
                [
                    *(python, "-m", "gunicorn", "tingsu.wsgi:application"),
                    *("--bind", bind, "--workers", str(workers), "--threads", str(threads)),
                    *("--graceful-timeout", "5", "--log-level", "warning"),
                ],
            ),
            Child("worker", [python, "-m", "django", "db_worker", "--no-reload"]),
            Child("scheduler", [python, "-m", "django", "scheduler"]),
        ]
        self.stop_signal: int | None = None
        signal.signal(signal.SIGINT, self.on_signal)
        signal.signal(signal.SIGTERM, self.on_signal)

        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tingsu.settings", "PYTHONUNBUFFERED": "1"}
        try:
            for child in self.children:
                child.process = subprocess.Popen(  # noqa: S603 - our own fixed argv
                    child.argv, env=env, process_group=0, preexec_fn=_die_with_parent
                )
            if self.wait_until_ready(bind):
                self.print_banner(bind)
            failed = self.supervise()
        finally:
            self.stop_all()
        if failed is not None:
            raise CommandError(
                f"The {failed.name} process exited with code {failed.process.returncode}; "
                "stopped the others."
            )
        self.stdout.write("Stopped the web server, the worker and the scheduler.")

    def on_signal(self, signum, frame) -> None:
        self.stop_signal = signum

    def dead_child(self) -> Child | None:
        return next((c for c in self.children if c.process.poll() is not None), None)

    def wait_until_ready(self, bind: str) -> bool:
        """Wait until the web server accepts connections, so the URL we print works."""
        host, _, port = bind.rpartition(":")
        if not port.isdigit():
            return True  # a unix socket or similar: nothing to probe
        wildcard = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "[::]": "::1"}  # noqa: S104
        host = wildcard.get(host, host)
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.stop_signal is not None or self.dead_child() is not None:
                return False
            try:
                with socket.create_connection((host.strip("[]"), int(port)), timeout=1):
                    return True
            except OSError:
                time.sleep(0.2)
        return True

    def print_banner(self, bind: str) -> None:
        lines = ["", f"Tingsu is running at http://{bind}", ""]
        logins = _demo_logins_text()
        if logins:
            lines += [logins, ""]
        lines.append("Press Ctrl-C to stop the web server, the worker and the scheduler.")
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    def supervise(self) -> Child | None:
        """Block until a signal arrives (returns None) or a child dies (returns it)."""
        while self.stop_signal is None:
            dead = self.dead_child()
            if dead is not None:
                return dead
            time.sleep(0.2)
        return None

    def stop_all(self) -> None:
        running = [c for c in self.children if c.process and c.process.poll() is None]
        for child in running:
            with contextlib.suppress(ProcessLookupError):
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in running:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
