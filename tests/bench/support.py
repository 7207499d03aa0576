"""What the bench's report tests share."""

from __future__ import annotations


def about() -> dict[str, str]:
    """The machine and run a report names in its first line, made up."""
    return {
        "date": "2026-12-05",
        "cpus": "2",
        "cpu_model": "test",
        "ram": "24 GiB",
        "commit": "abc1234",
        "load_before": "0.1",
        "load_after": "0.2",
    }
