"""The servers a run compares, each started on a free port and stopped afterwards:
Roundtable on SQLite, on PostgreSQL, two workers with Redis, the Node.js Socket.IO
reference, the raw-websocket floor and its Python twin."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.backing import free_port, port_open, private_postgres, private_redis

# Re-exported beside node_missing: the command line asks here what each server needs.
from bench.backing import postgres_missing as postgres_missing
from bench.backing import redis_missing as redis_missing
from bench.procs import Meter, pin

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "bench" / "reference"
START_TIMEOUT = 60.0
SECRET = "bench-secret-key-" + "k" * 32
# Settings a benchmarked server never inherits from the shell that starts the bench.
_NOT_INHERITED = (
    "DATABASE_URL",
    "REDIS_URL",
    "SOCKETIO_SERIALIZER",
    "ALLOWED_ORIGINS",
    "HOST",
    "PORT",
    "FORWARDED_ALLOW_IPS",
)


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    roundtable: bool
    note: str = ""


KINDS = {
    k.key: k
    for k in (
        Kind("sqlite", "Roundtable, 1 worker, SQLite", True),
        Kind("postgres", "Roundtable, 1 worker, PostgreSQL", True),
        Kind("redis2", "Roundtable, 2 workers + Redis, PostgreSQL", True),
        Kind("node", "Node.js Socket.IO 4 reference", False, "no database work"),
        Kind("floor", "raw-websocket floor (Node ws)", False, "no database, no Socket.IO"),
        Kind("pyfloor", "Python floor (websockets)", False, "no database, no Socket.IO"),
    )
}


@dataclass
class Target:
    """A running server: where to connect and what to meter."""

    kind: Kind
    urls: list[str]
    meter: Meter
    workers: int = 1


def node_missing() -> str | None:
    """Why the Node parts cannot run here, or None."""
    if not shutil.which("node"):
        return "Node.js is not installed"
    if not (REFERENCE / "node_modules" / "socket.io").is_dir():
        return "bench/reference/node_modules is missing (run `make bench`, which runs npm ci)"
    return None


async def _wait(what: str, ready: object, proc: subprocess.Popen[bytes] | None, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{_tail(log)}")
        if await ready():  # type: ignore[operator]
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{what} did not start within {START_TIMEOUT:.0f}s")


@asynccontextmanager
async def _process(
    what: str,
    cmd: list[str],
    *,
    env: dict[str, str],
    log: Path,
    cpus: set[int] | None,
    ready: object,
) -> AsyncIterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        proc = subprocess.Popen(  # noqa: ASYNC220 - returns at once; the wait is async
            cmd,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=pin(cpus),
        )
    try:
        await _wait(what, ready, proc, log)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                await asyncio.to_thread(proc.wait, 15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


def logs(workdir: Path) -> str:
    """The end of every log a server of `workdir` wrote."""
    return "".join(f"--- {log.name}\n{_tail(log)}\n" for log in sorted(workdir.glob("*.log")))


def _healthy(url: str) -> object:
    async def check() -> bool:
        try:
            async with httpx.AsyncClient(timeout=2.0) as http:
                return (await http.get(f"{url}/api/health")).status_code == 200
        except httpx.HTTPError:
            return False

    return check


def _listening(port: int) -> object:
    async def check() -> bool:
        return port_open(port)

    return check


def roundtable_env(database_url: str, data_dir: Path, redis_url: str | None) -> dict[str, str]:
    """The Procfile's settings (websocket only), with the REST limits lifted for load."""
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET,
        RATE_LIMIT="100000000/minute",
        REGISTER_RATE_LIMIT="100000000/hour",
        ROUNDTABLE_DATA_DIR=str(data_dir),
        SOCKETIO_TRANSPORTS="websocket",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


async def _migrate(env: dict[str, str]) -> None:
    await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "server", "migrate"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


@asynccontextmanager
async def start(kind: str, workdir: Path, cpus: set[int] | None) -> AsyncIterator[Target]:
    """Start the server `kind` (a key of KINDS) with everything it needs."""
    async with AsyncExitStack() as stack:
        if kind in ("node", "floor", "pyfloor"):
            port = free_port()
            if kind == "pyfloor":
                cmd = [sys.executable, "-m", "bench.python_floor", "--port", str(port)]
            else:
                script = "server.mjs" if kind == "node" else "floor.mjs"
                cmd = ["node", str(REFERENCE / script), "--port", str(port)]
            proc = await stack.enter_async_context(
                _process(
                    kind,
                    cmd,
                    env=dict(os.environ),
                    log=workdir / f"{kind}.log",
                    cpus=cpus,
                    ready=_listening(port),
                )
            )
            yield Target(KINDS[kind], [f"http://127.0.0.1:{port}"], Meter([proc.pid]))
            return
        trees: list[int] = []
        extra: list[int] = []
        redis_url = None
        if kind == "sqlite":
            database_url = f"sqlite://{workdir}/bench.sqlite3"
        else:
            pg = await stack.enter_async_context(private_postgres(cpus))
            database_url = pg.url
            trees.append(pg.postmaster())
        if kind == "redis2":
            redis = await stack.enter_async_context(private_redis(workdir, cpus))
            redis_url = redis.url
            extra.append(redis.pid)
        env = roundtable_env(database_url, workdir, redis_url)
        await _migrate(env)
        workers = 2 if kind == "redis2" else 1
        urls, pids = [], []
        for i in range(workers):
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            proc = await stack.enter_async_context(
                _process(
                    f"roundtable worker {i}",
                    [sys.executable, "-m", "server", "--port", str(port)],
                    env=env,
                    log=workdir / f"{kind}-worker{i}.log",
                    cpus=cpus,
                    ready=_healthy(url),
                )
            )
            urls.append(url)
            pids.append(proc.pid)
        yield Target(KINDS[kind], urls, Meter(pids, extra, trees), workers=workers)
