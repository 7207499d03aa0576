"""The servers a run compares, each started on a free port and stopped afterwards:
Roundtable on SQLite, on PostgreSQL, two workers with Redis, the Node.js Socket.IO
reference and the raw-websocket floor; plus the private PostgreSQL and Redis they use."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

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
    )
}


@dataclass
class Target:
    """A running server: where to connect and what to meter."""

    kind: Kind
    urls: list[str]
    meter: Meter
    workers: int = 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def node_missing() -> str | None:
    """Why the Node parts cannot run here, or None."""
    if not shutil.which("node"):
        return "Node.js is not installed"
    if not (REFERENCE / "node_modules" / "socket.io").is_dir():
        return "bench/reference/node_modules is missing (run `make bench`, which runs npm ci)"
    return None


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def postgres_missing() -> str | None:
    if not _pg_bin("initdb") or not _pg_bin("pg_ctl"):
        return "PostgreSQL's initdb and pg_ctl are not installed"
    return None


def redis_missing() -> str | None:
    return None if shutil.which("redis-server") else "redis-server is not installed"


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


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
        return _port_open(port)

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


class PrivatePostgres:
    """A PostgreSQL cluster of the bench's own (initdb in a temporary directory), so the
    CPU of its backends is the benchmark's alone. Default durability settings."""

    def __init__(self, cpus: set[int] | None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="roundtable-bench-pg-"))
        self.root.chmod(0o755)
        self.port = free_port()
        self.data = self.root / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/roundtable"
        self._cpus = cpus
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]  # PostgreSQL refuses root
        subprocess.run(
            cmd,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=pin(self._cpus),
        )

    def postmaster(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def start(self) -> None:
        sockets = self.root / "sockets"
        sockets.mkdir()
        if self._as_postgres:
            shutil.chown(self.root, "postgres")
            shutil.chown(sockets, "postgres")
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        assert initdb and pg_ctl
        self._run(initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        opts = f"-p {self.port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run(
            pg_ctl, "-D", str(self.data), "-o", opts, "-l", str(self.root / "log"), "-w", "start"
        )
        createdb = _pg_bin("createdb") or "createdb"
        self._run(createdb, "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "roundtable")

    def stop(self) -> None:
        pg_ctl = _pg_bin("pg_ctl")
        try:
            if pg_ctl and self.data.exists():
                self._run(pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@asynccontextmanager
async def private_postgres(cpus: set[int] | None) -> AsyncIterator[PrivatePostgres]:
    pg = PrivatePostgres(cpus)
    try:
        await asyncio.to_thread(pg.start)
        yield pg
    finally:
        await asyncio.to_thread(pg.stop)


@asynccontextmanager
async def private_redis(workdir: Path, cpus: set[int] | None) -> AsyncIterator[tuple[str, int]]:
    port = free_port()
    cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    cmd += ["--appendonly", "no", "--dir", str(workdir)]
    env = dict(os.environ)
    async with _process(
        "redis-server", cmd, env=env, log=workdir / "redis.log", cpus=cpus, ready=_listening(port)
    ) as proc:
        yield f"redis://127.0.0.1:{port}/0", proc.pid


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
        if kind in ("node", "floor"):
            port = free_port()
            script = "server.mjs" if kind == "node" else "floor.mjs"
            proc = await stack.enter_async_context(
                _process(
                    kind,
                    ["node", str(REFERENCE / script), "--port", str(port)],
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
            redis_url, redis_pid = await stack.enter_async_context(private_redis(workdir, cpus))
            extra.append(redis_pid)
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
