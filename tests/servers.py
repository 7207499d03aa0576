"""Real `python -m server` processes for the suites that talk to one over the network:
a free port, the environment a test server runs with, and a server that is healthy
before the test starts and stopped after it."""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import TEST_SECRET
from tests.support import ROOT

START_TIMEOUT = 60.0
# Settings a test server never inherits from the shell that runs the tests.
_NOT_INHERITED = (
    "REDIS_URL",
    "SOCKETIO_SERIALIZER",
    "ALLOWED_ORIGINS",
    "HOST",
    "PORT",
    "FORWARDED_ALLOW_IPS",
    "SOCKET_RECHECK_SECONDS",
    "PRESENCE_TTL_SECONDS",
    "HTTP_KEEPALIVE_SECONDS",
)
# A SQLite database migrated once per run, copied for each server that starts on a
# database of its own: migrating a new database from nothing takes seconds.
_MIGRATED: Path | None = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def migrated_sqlite(path: Path) -> str:
    """The URL of a new SQLite database at `path` with every migration applied."""
    global _MIGRATED
    if _MIGRATED is None:
        folder = Path(tempfile.mkdtemp(prefix="roundtable-migrated-"))
        atexit.register(shutil.rmtree, folder, True)
        made = folder / "db.sqlite3"
        await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "server", "migrate"],
            cwd=ROOT,
            env=server_env(database_url=f"sqlite://{made}", data_dir=folder),
            check=True,
            capture_output=True,
        )
        _MIGRATED = made
    shutil.copyfile(_MIGRATED, path)
    return f"sqlite://{path}"


def server_env(
    *, database_url: str, data_dir: Path, redis_url: str | None = None, **settings: str
) -> dict[str, str]:
    """The environment of a test server: limits lifted unless a test sets them."""
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=TEST_SECRET,
        RATE_LIMIT="100000/minute",
        REGISTER_RATE_LIMIT="100000/hour",
        ROUNDTABLE_DATA_DIR=str(data_dir),
        LOG_LEVEL="info",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(settings)
    return env


@dataclass(frozen=True)
class Running:
    url: str
    proc: asyncio.subprocess.Process
    log: Path


async def wait_healthy(url: str, proc: asyncio.subprocess.Process, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    async with httpx.AsyncClient(timeout=2.0) as http:
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                raise RuntimeError(f"server exited with {proc.returncode}:\n{_read(log)}")
            try:
                if (await http.get(f"{url}/api/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"server did not become healthy:\n{_read(log)}")


def _read(log: Path) -> str:
    return log.read_text(errors="replace")


@asynccontextmanager
async def running_server(
    env: dict[str, str], log: Path, *, args: tuple[str, ...] = ()
) -> AsyncIterator[Running]:
    """Start a server, wait until it is healthy, and stop it afterwards (SIGTERM, then
    SIGKILL if it does not stop)."""
    port = free_port()
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "server",
            *args,
            "--port",
            str(port),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_healthy(url, proc, log)
        yield Running(url=url, proc=proc, log=log)
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()


@asynccontextmanager
async def served_in_process(database_url: str, **settings: Any) -> AsyncIterator[str]:
    """The app served by uvicorn in this process, websocket only, the way `python -m
    server` serves it, with `settings` changed; its base URL."""
    import uvicorn

    from server.__main__ import protocol_options
    from server.app import create_app
    from tests.conftest import settings_for

    served = settings_for(database_url, **{"transports": ("websocket",), **settings})
    app = create_app(served, manage_db=False)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", **protocol_options(served)
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "server stopped"
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
