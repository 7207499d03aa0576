"""CPU time and resident memory of the processes under test, read from /proc."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name sits in parentheses and may hold spaces.
    return raw[raw.rindex(")") + 2 :].split()


def cpu_seconds(pid: int, *, reaped_children: bool = False) -> float:
    """User + system CPU of `pid`; with `reaped_children`, also of its exited children
    (the time a PostgreSQL backend used before it ended lands there)."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    # Fields after the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    ticks = int(fields[11]) + int(fields[12])
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / _TICK


def machine_busy_seconds() -> float:
    """CPU time every core of the machine has spent busy since boot, all processes."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _TICK


def children(pid: int) -> list[int]:
    """The direct children of `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def rss_bytes(pid: int) -> int:
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * _PAGE


class Meter:
    """The CPU of a server under test: its own processes, the processes it depends on
    (Redis), and process trees whose live and reaped children count too (a PostgreSQL
    postmaster). Memory is the server's own processes only."""

    def __init__(
        self, servers: Iterable[int], others: Iterable[int] = (), trees: Iterable[int] = ()
    ) -> None:
        self.servers = list(servers)
        self.others = list(others)
        self.trees = list(trees)

    def cpu(self) -> float:
        total = sum(cpu_seconds(pid) for pid in [*self.servers, *self.others])
        for root in self.trees:
            total += cpu_seconds(root, reaped_children=True)
            total += sum(cpu_seconds(child) for child in children(root))
        return total

    def rss(self) -> int:
        return sum(rss_bytes(pid) for pid in self.servers)


def pin(cpus: set[int] | None) -> Callable[[], None] | None:
    """A `preexec_fn` that keeps a child (and whatever it starts) on `cpus`."""
    if not cpus:
        return None
    chosen = set(cpus)

    def _pin() -> None:
        os.sched_setaffinity(0, chosen)

    return _pin
