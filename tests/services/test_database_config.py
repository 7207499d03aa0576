"""How the database connections are set up: PostgreSQL connections go back to the pool
without a reset round trip unless one was left inside a transaction; SQLite logs ahead
(WAL) and commits without an fsync each time, and keeps its log's file to write over
after a checkpoint; a SQLite transaction takes the write lock
when it begins, so another process's commit makes it wait rather than fail."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import asyncpg
import pytest
from tortoise import connections
from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

from server.db import WAL_KEPT_BYTES, tortoise_config
from services.sqlite_engine import Client
from tests.support import PG_URL, require


async def _pool() -> asyncpg.Pool:
    require("postgres")
    credentials = tortoise_config(PG_URL)["connections"]["default"]["credentials"]
    return await asyncpg.create_pool(PG_URL, min_size=1, max_size=1, reset=credentials["reset"])


async def test_a_released_connection_costs_no_reset_statement() -> None:
    pool = await _pool()
    seen: list[str] = []
    try:
        async with pool.acquire() as conn:
            conn.add_query_logger(lambda record: seen.append(record.query))
            assert await conn.fetchval("SELECT 1") == 1
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT 2") == 2
    finally:
        await pool.close()
    assert seen == ["SELECT 1", "SELECT 2"]


async def test_a_connection_left_in_a_transaction_is_rolled_back_before_reuse() -> None:
    pool = await _pool()
    try:
        async with pool.acquire() as conn:
            await conn.execute("BEGIN")
            await conn.execute("SET LOCAL statement_timeout = 1234")
        async with pool.acquire() as conn:
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SHOW statement_timeout") == "0"
    finally:
        await pool.close()


def test_sqlite_commits_without_an_fsync_each_unless_the_url_says_so() -> None:
    default = tortoise_config("sqlite://:memory:")["connections"]["default"]
    assert default["credentials"]["synchronous"] == "NORMAL"
    assert default["credentials"]["journal_mode"] == "WAL"
    assert default["credentials"]["journal_size_limit"] == WAL_KEPT_BYTES
    chosen = tortoise_config("sqlite://:memory:?synchronous=FULL&journal_size_limit=4096")
    assert chosen["connections"]["default"]["credentials"]["synchronous"] == "FULL"
    assert chosen["connections"]["default"]["credentials"]["journal_size_limit"] == 4096


async def test_the_running_sqlite_database_logs_ahead_without_fsync_per_commit(db: str) -> None:
    conn = connections.get("default")
    if conn.capabilities.dialect != "sqlite":
        assert await conn.execute_query_dict("SHOW synchronous_commit") == [
            {"synchronous_commit": "on"}
        ]
        return
    assert await conn.execute_query_dict("PRAGMA journal_mode") == [{"journal_mode": "wal"}]
    assert await conn.execute_query_dict("PRAGMA synchronous") == [{"synchronous": 1}]


@pytest.mark.sqlite_only
async def test_the_running_sqlite_database_has_the_log_size_limit(db: str) -> None:
    conn = connections.get("default")
    assert await conn.execute_query_dict("PRAGMA journal_size_limit") == [
        {"journal_size_limit": WAL_KEPT_BYTES}
    ]


def _size(path: Path) -> int:
    return path.stat().st_size


async def test_the_log_is_written_over_after_a_checkpoint_not_cut_and_grown_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.sqlite3"
    wal = Path(f"{path}-wal")
    async with TortoiseContext() as tortoise:
        await tortoise.init(config=tortoise_config(f"sqlite://{path}"))
        client = connections.get("default")
        await client.execute_script("CREATE TABLE t (body BLOB)")
        for _ in range(100):
            await client.execute_query("INSERT INTO t VALUES (randomblob(8000))")
        grown = _size(wal)
        assert grown > 512 * 1024
        await client.execute_query("PRAGMA wal_checkpoint(PASSIVE)")
        # The first commit after a checkpoint starts the log over from its beginning,
        # and cuts the file to the limit: Tortoise's own would leave 16 KB of it.
        await client.execute_query("INSERT INTO t VALUES (1)")
        assert _size(wal) == grown
        assert (await client.execute_query_dict("SELECT count(*) AS n FROM t"))[0]["n"] == 101


async def test_a_sqlite_transaction_and_another_process_writing_wait_for_each_other(
    tmp_path: Path,
) -> None:
    path = tmp_path / "shared.sqlite3"
    other = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("CREATE TABLE t (n INTEGER)")
    try:
        async with TortoiseContext() as tortoise:
            await tortoise.init(config=tortoise_config(f"sqlite://{path}"))
            client = connections.get("default")
            assert isinstance(client, Client)
            async with in_transaction() as tx:
                seen = await tx.execute_query_dict("SELECT count(*) AS n FROM t")
                # The other process writes after this transaction has read: it waits.
                writer = asyncio.ensure_future(
                    asyncio.to_thread(other.execute, "INSERT INTO t VALUES (1)")
                )
                await asyncio.sleep(0.3)
                assert not writer.done()
                # The read is still current, so this write succeeds instead of failing
                # with "database is locked".
                await tx.execute_query("INSERT INTO t VALUES (?)", [seen[0]["n"] + 10])
            await writer
            assert sorted(other.execute("SELECT n FROM t").fetchall()) == [(1,), (10,)]
    finally:
        other.close()
