"""SQLite's write-ahead log goes back into the database file from a thread of its own:
a commit leaves the log alone until it has grown past `WRITER_PAGES`, the thread copies
it back meanwhile, and the thread lives exactly as long as the connection."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

from tortoise import connections
from tortoise.context import TortoiseContext

from server.db import tortoise_config
from services.sqlite_engine import Client
from services.wal_checkpoints import WRITER_PAGES

BLOB = 8000  # two pages a row


def _in_file(path: Path) -> int:
    """Rows of `t` in the database file itself, ignoring the log: what has been copied
    back. 0 while the table has not reached the file."""
    try:
        db = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    except sqlite3.Error:
        return 0
    try:
        return int(db.execute("SELECT count(*) FROM t").fetchone()[0])
    except sqlite3.DatabaseError:
        return 0
    finally:
        db.close()


def _checkpointers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "sqlite-checkpoints"]


async def _fill(client: Client, rows: int) -> None:
    for _ in range(rows):
        await client.execute_query(f"INSERT INTO t VALUES (randomblob({BLOB}))")


async def test_the_log_reaches_the_file_without_a_commit_copying_it(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with TortoiseContext() as tortoise:
        await tortoise.init(config=tortoise_config(f"sqlite://{path}"))
        client = connections.get("default")
        assert isinstance(client, Client)
        assert await client.execute_query_dict("PRAGMA wal_autocheckpoint") == [
            {"wal_autocheckpoint": WRITER_PAGES}
        ]
        await client.execute_script("CREATE TABLE t (body BLOB)")
        await _fill(client, 100)
        # The thread copies it back within a few of its rounds.
        deadline = time.monotonic() + 10
        while _in_file(path) < 100:
            if time.monotonic() > deadline:
                raise AssertionError(f"{_in_file(path)} rows of 100 in the file after 10 s")
            await asyncio.sleep(0.05)


async def test_with_the_thread_stopped_a_commit_copies_the_log_only_past_the_bound(
    tmp_path: Path,
) -> None:
    path = tmp_path / "db.sqlite3"
    async with TortoiseContext() as tortoise:
        await tortoise.init(config=tortoise_config(f"sqlite://{path}"))
        client = connections.get("default")
        assert isinstance(client, Client)
        await client.execute_query("SELECT 1")  # the connection opens on first use
        assert client._checkpointer is not None
        await asyncio.to_thread(client._checkpointer.stop)
        await client.execute_script("CREATE TABLE t (body BLOB)")
        # Past SQLite's default bound (1,000 pages, two a row), no commit copied it.
        await _fill(client, 1000)
        assert _in_file(path) == 0
        # Past WRITER_PAGES pages, the commit that crossed the bound copied the log
        # back, the rows before it included, and the rows after it stay in the log.
        await _fill(client, WRITER_PAGES // 2)
        assert WRITER_PAGES // 3 < _in_file(path) < 1000 + WRITER_PAGES // 2


async def test_the_thread_lives_as_long_as_the_connection(tmp_path: Path) -> None:
    before = len(_checkpointers())
    async with TortoiseContext() as tortoise:
        await tortoise.init(config=tortoise_config(f"sqlite://{tmp_path / 'db.sqlite3'}"))
        await connections.get("default").execute_query("SELECT 1")
        assert len(_checkpointers()) == before + 1
    assert len(_checkpointers()) == before


async def test_a_database_in_memory_has_no_log_and_no_thread() -> None:
    before = len(_checkpointers())
    async with TortoiseContext() as tortoise:
        await tortoise.init(config=tortoise_config("sqlite://:memory:"))
        client = connections.get("default")
        await client.execute_query("SELECT 1")
        assert len(_checkpointers()) == before
        assert isinstance(client, Client)
        assert client._checkpointer is None
