"""Which external services this machine has, and how a test asks for one.

Off CI a missing service skips its suites with the reason; under CI=true it fails,
because CI always runs everything.
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ON_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

SKIPPED: dict[str, str] = {}


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@functools.cache
def missing(service: str) -> str | None:
    """Why `service` cannot be used here, or None when it can."""
    if service == "postgres":
        return None if _port_open("127.0.0.1", 5432) else "PostgreSQL is not listening on 5432"
    if service == "redis":
        return None if _port_open("127.0.0.1", 6379) else "Redis is not listening on 6379"
    if service == "node":
        if not shutil.which("node"):
            return "Node.js is not installed"
        if not (ROOT / "static" / "node_modules" / "socket.io-client").is_dir():
            return "static/node_modules is missing (npm ci did not run)"
        return None
    if service == "chromium":
        return None if Path("/usr/bin/chromium").exists() else "Chromium is not installed"
    raise ValueError(service)


def require(service: str) -> None:
    reason = missing(service)
    if reason is None:
        return
    SKIPPED[service] = reason
    if ON_CI:
        pytest.fail(f"{service} is required on CI: {reason}", pytrace=False)
    pytest.skip(f"{service} unavailable: {reason}")
