"""Transactions written as steps: on SQLite, concurrent ones share one commit, each in
its own savepoint; on PostgreSQL each runs in a transaction of its own. Either way a
caller hears back only once its change is committed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from tortoise import connections
from tortoise.backends.sqlite.client import SqliteClient
from tortoise.exceptions import IntegrityError, OperationalError

from models import Room
from services import group_commit, sql
from services.errors import Conflict


def _bump(room: str, by: int) -> sql.Steps[int]:
    found = yield sql.stmt("UPDATE rooms SET seq = seq + ? WHERE key = ? RETURNING seq", by, room)
    if not found:
        raise Conflict(f"no room {room}")
    return int(found[0]["seq"])


@asynccontextmanager
async def _commits(every: bool = False) -> AsyncIterator[list[str]]:
    """The COMMITs SQLite runs (or `every` statement), seen from its own thread."""
    seen: list[str] = []
    client = connections.get("default")
    assert isinstance(client, SqliteClient) and client._connection is not None
    conn = client._connection

    def trace(text: str) -> None:
        if every or text.strip().upper() == "COMMIT":
            seen.append(" ".join(text.split()))

    await conn._execute(conn._conn.set_trace_callback, trace)
    try:
        yield seen
    finally:
        await conn._execute(conn._conn.set_trace_callback, None)


async def test_concurrent_transactions_each_get_their_own_answer(db: str) -> None:
    await Room.create(key="r", seq=0)
    values = await asyncio.gather(*(group_commit.run(lambda: _bump("r", 1)) for _ in range(20)))
    assert sorted(values) == list(range(1, 21))
    assert (await Room.get(key="r")).seq == 20


async def test_a_refused_transaction_is_rolled_back_alone(db: str) -> None:
    await Room.create(key="a", seq=0)

    def bump_then_refuse() -> sql.Steps[int]:
        yield from _bump("a", 100)
        raise Conflict("changed my mind")

    outcomes = await asyncio.gather(
        group_commit.run(lambda: _bump("a", 1)),
        group_commit.run(bump_then_refuse),
        group_commit.run(lambda: _bump("missing", 1)),
        group_commit.run(lambda: _bump("a", 1)),
        return_exceptions=True,
    )
    # On PostgreSQL the two bumps run side by side, in either order.
    assert sorted([outcomes[0], outcomes[3]]) == [1, 2]
    assert isinstance(outcomes[1], Conflict) and isinstance(outcomes[2], Conflict)
    assert (await Room.get(key="a")).seq == 2
    assert not await Room.filter(key="missing").exists()


# PostgreSQL commits each transaction on its own connection.
@pytest.mark.sqlite_only
async def test_on_sqlite_concurrent_transactions_share_commits(db: str) -> None:
    await Room.create(key="g", seq=0)
    async with _commits() as commits:
        await asyncio.gather(*(group_commit.run(lambda: _bump("g", 1)) for _ in range(40)))
    assert (await Room.get(key="g")).seq == 40
    # All forty were waiting before the first hop began: one BEGIN … COMMIT for them.
    assert len(commits) == 1


@pytest.mark.sqlite_only
async def test_when_the_shared_commit_fails_nobody_is_told_it_succeeded(db: str) -> None:
    await Room.create(key="c", seq=0)

    def dangling_reference() -> sql.Steps[int]:
        # Checked at COMMIT, so the commit of the whole batch fails.
        yield sql.stmt("PRAGMA defer_foreign_keys = ON")
        yield sql.stmt(
            "INSERT INTO votes (story_id, participant_id, value, created_at, updated_at)"
            " VALUES ('00000000-0000-0000-0000-000000000000', 999999, '5', ?, ?)",
            sql.now(),
            sql.now(),
        )
        return 0

    # The first goes alone; the three that arrive while it is under way share a commit.
    first = asyncio.create_task(group_commit.run(lambda: _bump("c", 0)))
    await asyncio.sleep(0)
    batch = [
        asyncio.create_task(group_commit.run(lambda: _bump("c", 1))),
        asyncio.create_task(group_commit.run(dangling_reference)),
        asyncio.create_task(group_commit.run(lambda: _bump("c", 1))),
    ]
    assert await first == 0
    outcomes = await asyncio.gather(*batch, return_exceptions=True)
    assert all(isinstance(o, IntegrityError) for o in outcomes), outcomes
    assert (await Room.get(key="c")).seq == 0
    # The connection is usable afterwards.
    assert await group_commit.run(lambda: _bump("c", 1)) == 1


async def test_a_read_that_fails_leaves_the_rest_of_its_hop_alone(db: str) -> None:
    await Room.create(key="m", seq=0)

    def read_then_refuse() -> sql.Steps[int]:
        found = yield sql.stmt("SELECT seq FROM rooms WHERE key = ?", "m")
        raise Conflict(f"seq {found[0]['seq']} is not wanted")

    def misspelt() -> sql.Steps[int]:
        yield sql.stmt("SELECT seq FROM roomz")
        return 0

    outcomes = await asyncio.gather(
        group_commit.run(lambda: _bump("m", 1)),
        group_commit.read(read_then_refuse),
        group_commit.read(misspelt),
        group_commit.row("SELECT key, seq FROM rooms WHERE key = ?", "m"),
        group_commit.row("SELECT key, seq FROM rooms WHERE key = ?", "nowhere"),
        group_commit.run(lambda: _bump("m", 1)),
        return_exceptions=True,
    )
    assert sorted([outcomes[0], outcomes[5]]) == [1, 2]
    assert isinstance(outcomes[1], Conflict) and isinstance(outcomes[2], OperationalError)
    assert isinstance(outcomes[3], dict) and outcomes[3]["key"] == "m"
    assert outcomes[4] is None
    assert (await Room.get(key="m")).seq == 2


@pytest.mark.sqlite_only
async def test_on_sqlite_reads_take_no_savepoint_and_alone_no_write_lock(db: str) -> None:
    await Room.create(key="w", seq=0)
    read = "SELECT seq FROM rooms WHERE key = 'w'"

    def reading() -> sql.Steps[dict[str, Any] | None]:
        return sql.first(read)

    async with _commits(every=True) as seen:
        await asyncio.gather(*(group_commit.read(reading) for _ in range(3)))
    assert seen == ["BEGIN", read, read, read, "COMMIT"]

    async with _commits(every=True) as seen:
        first = asyncio.create_task(group_commit.read(reading))
        await asyncio.sleep(0)
        # These three wait for the next hop together: a write among them takes the lock.
        await asyncio.gather(
            group_commit.read(reading),
            group_commit.run(lambda: _bump("w", 1)),
            group_commit.read(reading),
        )
        await first
    assert seen[:3] == ["BEGIN", read, "COMMIT"]
    assert seen[3] == "BEGIN IMMEDIATE" and seen[4] == read and seen[5] == "SAVEPOINT unit"
    assert seen[-3:] == ["RELEASE unit", read, "COMMIT"]


@pytest.mark.sqlite_only
async def test_on_sqlite_a_lone_row_goes_at_once_and_rows_behind_a_busy_one_share_a_hop(
    db: str,
) -> None:
    await Room.create(key="b", seq=0)
    read = "SELECT seq FROM rooms WHERE key = 'b'"
    async with _commits(every=True) as seen:
        assert await group_commit.row(read) == {"seq": 0}
    assert seen == [read]

    async with _commits(every=True) as seen:
        found = await asyncio.gather(*(group_commit.row(read) for _ in range(4)))
    assert found == [{"seq": 0}] * 4
    # The first found the connection free; the three behind it went in one hop.
    assert seen == [read, "BEGIN", read, read, read, "COMMIT"]
