"""What a real `python -m server` does on the network: which X-Forwarded-For it
believes (none, unless told), and how long it keeps an idle HTTP connection; and what
it writes to its log.

The rate limits count per client address; a server that took the header from anyone on
its own host would let that client choose a fresh address for every request.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
import orjson
import pytest

from server.__main__ import _parser
from tests.servers import migrated_sqlite, running_server, server_env

LIMIT = 3

Serve = Callable[..., AbstractAsyncContextManager[str]]


@pytest.fixture
def serve(tmp_path: Path) -> Serve:
    counter = itertools.count()

    @asynccontextmanager
    async def run(**extra_env: str) -> AsyncIterator[str]:
        data = tmp_path / f"data-{next(counter)}"
        data.mkdir()
        env = server_env(
            database_url=await migrated_sqlite(data / "db.sqlite3"),
            data_dir=data,
            RATE_LIMIT=f"{LIMIT}/minute",
            LOG_LEVEL="warning",
            **extra_env,
        )
        async with running_server(env, data / "server.log", args=("--migrate",)) as server:
            yield server.url

    return run


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


def test_the_help_names_the_trusted_proxies_and_keep_alive_settings() -> None:
    text = _parser().format_help()
    assert "FORWARDED_ALLOW_IPS" in text
    assert "Unset trusts no one" in text
    assert "HTTP_KEEPALIVE_SECONDS" in text
    assert "above your reverse proxy's idle timeout" in " ".join(text.split())


async def _get_health(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    """One GET on an open HTTP/1.1 connection; its status line."""
    writer.write(b"GET /api/health HTTP/1.1\r\nHost: roundtable\r\n\r\n")
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    await asyncio.wait_for(reader.readexactly(length), 10)
    return head.split(b"\r\n", 1)[0]


async def test_an_idle_connection_is_kept_as_long_as_configured(serve: Serve) -> None:
    # The default (75 s, longer than a reverse proxy's idle timeout) is in test_config;
    # here a short one shows that the server keeps to it, both ways.
    async with serve(HTTP_KEEPALIVE_SECONDS="1") as url:
        host, port = url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            assert await _get_health(reader, writer) == b"HTTP/1.1 200 OK"
            await asyncio.sleep(0.3)
            # Still open: the second request goes on the same connection.
            assert await _get_health(reader, writer) == b"HTTP/1.1 200 OK"
            # Idle past the setting: the server closes it.
            assert await asyncio.wait_for(reader.read(), 3) == b""
        finally:
            writer.close()


async def test_every_line_of_the_log_is_json_from_start_to_stop(tmp_path: Path) -> None:
    env = server_env(
        database_url=await migrated_sqlite(tmp_path / "db.sqlite3"),
        data_dir=tmp_path,
        LOG_FORMAT="json",
        LOG_LEVEL="info",
    )
    log = tmp_path / "server.log"
    async with running_server(env, log) as server, httpx.AsyncClient() as http:
        assert (await http.get(f"{server.url}/api/health")).status_code == 200
    # Stopped with SIGTERM: uvicorn's, Tortoise's and the server's own lines alike, to
    # the last one, written as the process ends.
    lines = [orjson.loads(line) for line in log.read_bytes().splitlines()]
    assert all({"event", "level", "timestamp"} <= line.keys() for line in lines), lines
    events = [line["event"] for line in lines]
    assert any(e.startswith("Uvicorn running on http://127.0.0.1:") for e in events), events
    assert "serving" in events
    assert events[-1].startswith("Finished server process"), events
    assert {line.get("logger") for line in lines} >= {"uvicorn.error", "tortoise"}
