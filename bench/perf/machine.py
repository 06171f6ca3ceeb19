"""What the figures were measured on."""

import json
import os
import platform
import subprocess
from pathlib import Path


def machine_info() -> dict:
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def versions(python: str, *, modules: tuple[str, ...], cwd: Path | None = None) -> dict:
    """Versions as the server's own interpreter sees them."""
    code = (
        "import importlib.metadata as m, platform, sqlite3, json;"
        f"mods={list(modules)!r};"
        "v={'python': platform.python_version(), 'sqlite': sqlite3.sqlite_version};"
        "v.update({x: m.version(x) for x in mods});"
        "print(json.dumps(v))"
    )
    out = subprocess.run(  # noqa: S603
        [python, "-c", code], capture_output=True, text=True, check=True, cwd=cwd
    )
    return json.loads(out.stdout)
