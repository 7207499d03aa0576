"""Real processes the cluster tests start, stop and kill: a private PostgreSQL cluster,
a private Redis, and workers started the Procfile's way."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.servers import free_port, server_env
from tests.support import ROOT

START_TIMEOUT = 60.0


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


async def wait_until(check: object, what: str, within: float) -> None:
    """Poll an async `check()` until it is truthy; fail with `what` after `within`."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{what}: not within {within}s")


def pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def missing_tools() -> str | None:
    if not shutil.which("redis-server"):
        return "redis-server is not installed"
    if not pg_bin("initdb") or not pg_bin("pg_ctl"):
        return "PostgreSQL's initdb and pg_ctl are not installed"
    return None


class PrivateRedis:
    """A redis-server on its own port that a test may stop and start again (empty, as
    a restarted Redis without persistence is)."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._dir = workdir
        self._proc: subprocess.Popen[bytes] | None = None

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self._dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    async def start(self) -> None:
        self._proc = self._spawn()

        async def up() -> bool:
            return _port_open(self.port)

        await wait_until(up, "redis-server listening", 20)

    async def stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait(10)
            self._proc = None


class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb on a temporary directory), so a test can
    restart it without touching anyone else's database."""

    def __init__(self) -> None:
        # Its own directory outside pytest's (which the postgres user cannot enter).
        self.root = Path(tempfile.mkdtemp(prefix="roundtable-pg-"))
        self.root.chmod(0o755)
        self.port = free_port()
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/roundtable"
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self._as_postgres:
            # PostgreSQL refuses to run as root.
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    async def init(self) -> None:
        self.sockets.mkdir(exist_ok=True)
        if self._as_postgres:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.sockets, "postgres")
        initdb = pg_bin("initdb")
        assert initdb is not None
        self._run(initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        await self.start()
        self._run(
            pg_bin("createdb") or "createdb",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "roundtable",
        )

    async def start(self) -> None:
        pg_ctl = pg_bin("pg_ctl")
        assert pg_ctl is not None
        opts = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            pg_ctl, "-D", str(self.data), "-o", opts, "-l", str(self.data / "log"), "-w", "start"
        )

    async def stop(self) -> None:
        pg_ctl = pg_bin("pg_ctl")
        assert pg_ctl is not None
        self._run(pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop")

    async def remove(self) -> None:
        try:
            await self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Worker:
    """One `python -m server` process, as the Procfile's web line starts it."""

    port: int
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = field(default=None)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as out:
            return subprocess.Popen(
                [sys.executable, "-m", "server", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    async def start(self) -> None:
        self.proc = self._spawn()
        await self.wait_healthy()

    async def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        async with httpx.AsyncClient(timeout=2.0) as http:
            while time.monotonic() < deadline:
                assert self.proc is not None
                if self.proc.poll() is not None:
                    raise RuntimeError(f"worker exited:\n{self.log.read_text()[-4000:]}")
                try:
                    if (await http.get(f"{self.url}/api/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"worker did not become healthy:\n{self.log.read_text()[-4000:]}")

    def kill(self) -> None:
        """kill -9: no shutdown handler runs, nothing is cleaned up."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.proc = None

    async def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            await asyncio.to_thread(self.proc.wait, 15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None


def worker_env(database_url: str, redis_url: str, data_dir: Path) -> dict[str, str]:
    """The Procfile's environment: websocket-only, one database, one Redis."""
    return server_env(
        database_url=database_url,
        data_dir=data_dir,
        redis_url=redis_url,
        SOCKETIO_TRANSPORTS="websocket",
    )
