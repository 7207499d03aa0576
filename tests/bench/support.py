"""What the bench's tests share."""

from __future__ import annotations

import pytest

from bench.servers import node_missing
from tests.support import ON_CI, SKIPPED


def require_node() -> None:
    """Skip unless the bench's Node parts can run here; on CI, fail instead."""
    reason = node_missing()
    if reason is None:
        return
    SKIPPED["bench"] = reason
    if ON_CI:
        pytest.fail(f"the bench's Node parts are required on CI: {reason}", pytrace=False)
    pytest.skip(reason)


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
