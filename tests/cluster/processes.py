"""Workers started the Procfile's way, which the cluster tests start, stop and kill,
and the wait for what they should come to see."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.servers import server_env
from tests.support import ROOT

START_TIMEOUT = 60.0


async def wait_until(check: object, what: str, within: float) -> None:
    """Poll an async `check()` until it is truthy; fail with `what` after `within`."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{what}: not within {within}s")


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
