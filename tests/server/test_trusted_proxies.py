"""Which X-Forwarded-For a real `python -m server` believes: none, unless told.

The rate limits count per client address; a server that took the header from anyone on
its own host would let that client choose a fresh address for every request.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
import pytest

from server.__main__ import _parser
from tests.conftest import TEST_SECRET
from tests.support import ROOT

START_TIMEOUT = 60.0
LIMIT = 3

Serve = Callable[..., AbstractAsyncContextManager[str]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def serve(tmp_path: Path) -> Serve:
    @asynccontextmanager
    async def run(**extra_env: str) -> AsyncIterator[str]:
        port = _free_port()
        data = tmp_path / f"data-{port}"
        data.mkdir()
        env = {k: v for k, v in os.environ.items() if k not in ("FORWARDED_ALLOW_IPS", "REDIS_URL")}
        env.update(
            DATABASE_URL=f"sqlite://{data}/db.sqlite3",
            SECRET_KEY=TEST_SECRET,
            RATE_LIMIT=f"{LIMIT}/minute",
            ROUNDTABLE_DATA_DIR=str(data),
            LOG_LEVEL="warning",
            **extra_env,
        )
        log = data / "server.log"
        with log.open("wb") as out:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "server",
                "--migrate",
                "--port",
                str(port),
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}"
        try:
            await _wait_healthy(url, proc, log)
            yield url
        finally:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()

    return run


def _read(log: Path) -> str:
    return log.read_text(errors="replace")


async def _wait_healthy(url: str, proc: asyncio.subprocess.Process, log: Path) -> None:
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


async def _from(http: httpx.AsyncClient, url: str, forged: str) -> httpx.Response:
    return await http.get(f"{url}/api/openapi.json", headers={"X-Forwarded-For": forged})


async def test_a_forged_forwarded_for_does_not_change_whose_limit_is_counted(
    serve: Serve,
) -> None:
    async with serve() as url, httpx.AsyncClient(timeout=10.0) as http:
        seen = []
        for n in range(1, LIMIT + 1):
            res = await _from(http, url, f"198.51.100.{n}")
            assert res.status_code == 200, res.text
            seen.append(res.headers["x-ratelimit-remaining"])
        assert seen == [str(LIMIT - n) for n in range(1, LIMIT + 1)]
        refused = await _from(http, url, "203.0.113.77")
        assert refused.status_code == 429
        assert refused.json()["statusCode"] == 429
        assert refused.json()["message"]


async def test_a_trusted_proxy_names_the_client(serve: Serve) -> None:
    async with (
        serve(FORWARDED_ALLOW_IPS="127.0.0.1") as url,
        httpx.AsyncClient(timeout=10.0) as http,
    ):
        for n in range(1, LIMIT + 2):
            res = await _from(http, url, f"198.51.100.{n}")
            assert res.status_code == 200, res.text
            # Each client behind the proxy has a window of its own.
            assert res.headers["x-ratelimit-remaining"] == str(LIMIT - 1)
        # The same client again is counted against its own window.
        again = await _from(http, url, "198.51.100.1")
        assert again.headers["x-ratelimit-remaining"] == str(LIMIT - 2)


def test_the_help_names_the_trusted_proxies_setting() -> None:
    text = _parser().format_help()
    assert "FORWARDED_ALLOW_IPS" in text
    assert "Unset trusts no one" in text
