"""A private PostgreSQL cluster and a private Redis, run as child processes on ports of
their own that they keep across a stop and a start; the bench and the cluster tests use them."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bench.procs import pin

_START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def pg_bin(name: str) -> str | None:
    """The newest installed PostgreSQL's `name`, else the one on the PATH."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def postgres_missing() -> str | None:
    if not pg_bin("initdb") or not pg_bin("pg_ctl"):
        return "PostgreSQL's initdb and pg_ctl are not installed"
    return None


def redis_missing() -> str | None:
    return None if shutil.which("redis-server") else "redis-server is not installed"


class PrivatePostgres:
    """A cluster of its own (initdb in a temporary directory), so its backends serve no
    one else and it can be stopped without touching anyone's database. Its processes
    stay on `cpus` when given; `fsync=False` trades durability for speed."""

    def __init__(self, cpus: set[int] | None = None, *, fsync: bool = True) -> None:
        # Outside pytest's temporary directories, which the postgres user cannot enter.
        self.root = Path(tempfile.mkdtemp(prefix="roundtable-pg-"))
        self.root.chmod(0o755)
        self.port = free_port()
        self.data = self.root / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/roundtable"
        self._cpus = cpus
        self._fsync = fsync
        self._as_postgres = os.geteuid() == 0

    def postmaster(self) -> int:
        """The server's pid: its backends are its children."""
        return int((self.data / "postmaster.pid").read_text().split()[0])

    async def start(self) -> None:
        """Start the server, creating the cluster and its `roundtable` database the first time."""
        await asyncio.to_thread(self._start)

    async def stop(self) -> None:
        """Stop at once, as a crash would; the next start recovers from the WAL."""
        await asyncio.to_thread(self._pg_ctl, "-m", "immediate", "-w", "stop")

    async def remove(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                await self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

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

    def _pg_ctl(self, *args: str) -> None:
        pg_ctl = pg_bin("pg_ctl")
        assert pg_ctl is not None
        self._run(pg_ctl, "-D", str(self.data), *args)

    def _start(self) -> None:
        sockets = self.root / "sockets"
        created = not self.data.exists()
        if created:
            sockets.mkdir()
            if self._as_postgres:
                shutil.chown(self.root, "postgres")
                shutil.chown(sockets, "postgres")
            initdb = pg_bin("initdb")
            assert initdb is not None
            self._run(initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        opts = f"-p {self.port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self._fsync:
            opts += " -c fsync=off"
        self._pg_ctl("-o", opts, "-l", str(self.root / "log"), "-w", "start")
        if created:
            createdb = pg_bin("createdb") or "createdb"
            host = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
            self._run(createdb, *host, "roundtable")


class PrivateRedis:
    """A redis-server without persistence (`--save "" --appendonly no`), so it is empty
    again after a stop and a start. It stays on `cpus` when given and logs to `workdir`."""

    def __init__(self, workdir: Path, cpus: set[int] | None = None) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._dir = workdir
        self._log = workdir / "redis.log"
        self._cpus = cpus
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    async def start(self) -> None:
        proc = self._proc = self._spawn()
        deadline = time.monotonic() + _START_TIMEOUT
        while not port_open(self.port):
            if proc.poll() is not None:
                tail = self._log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"redis-server exited with {proc.returncode}:\n{tail}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start within {_START_TIMEOUT:.0f}s")
            await asyncio.sleep(0.1)

    async def stop(self) -> None:
        """kill -9: with nothing to persist there is nothing a shutdown would save."""
        if self._proc is not None:
            self._proc.kill()
            await asyncio.to_thread(self._proc.wait, 10)
            self._proc = None

    def _spawn(self) -> subprocess.Popen[bytes]:
        cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        cmd += ["--save", "", "--appendonly", "no", "--dir", str(self._dir)]
        with self._log.open("ab") as out:
            return subprocess.Popen(
                cmd, stdout=out, stderr=subprocess.STDOUT, preexec_fn=pin(self._cpus)
            )


@asynccontextmanager
async def private_postgres(
    cpus: set[int] | None = None, *, fsync: bool = True
) -> AsyncIterator[PrivatePostgres]:
    pg = PrivatePostgres(cpus, fsync=fsync)
    try:
        await pg.start()
        yield pg
    finally:
        await pg.remove()


@asynccontextmanager
async def private_redis(workdir: Path, cpus: set[int] | None = None) -> AsyncIterator[PrivateRedis]:
    redis = PrivateRedis(workdir, cpus)
    try:
        await redis.start()
        yield redis
    finally:
        await redis.stop()
