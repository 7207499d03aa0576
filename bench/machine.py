"""Where and on what a run was measured: the machine and the commit."""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path

from bench.servers import ROOT

# The code a run measures; changes to the bench itself do not make the figures stale.
MEASURED_PATHS = ("server", "realtime", "services", "models")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def commit() -> str:
    """The commit measured, marked when the server code has uncommitted changes."""
    head = _git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = _git("status", "--porcelain", "--", *MEASURED_PATHS)
    return f"{head} (with uncommitted server changes)" if dirty else head


def load() -> str:
    """The 1-minute load average: other work on the machine shows in the figures."""
    return f"{os.getloadavg()[0]:.2f}"


def describe() -> dict[str, str]:
    return {
        "load_before": load(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": str(os.cpu_count()),
        "cpu_model": _cpu_model(),
        "ram": f"{_ram_gib():.0f} GiB",
        "commit": commit(),
    }
