"""A writer of a room caught in the middle, for the PostgreSQL tests of writers that
read without the room's lock and write only if its seq has not moved."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg


async def while_the_room_is_held(
    database: str,
    room: str,
    change: str,
    args: tuple[object, ...],
    start: Callable[[], Awaitable[Any]],
    what: str,
) -> asyncio.Task[Any]:
    """Another connection takes the room's lock, makes `change` and claims a seq, as a
    writer does; `start()` begins a write that reads without the lock and waits for it;
    then that writer commits. The write's task, once the commit is done."""
    other = await asyncpg.connect(database)
    try:
        tx = other.transaction()
        await tx.start()
        await other.execute("SELECT seq FROM rooms WHERE key = $1 FOR UPDATE", room)
        if change:
            await other.execute(change, *args)
        await other.execute("UPDATE rooms SET seq = seq + 1 WHERE key = $1", room)
        task = asyncio.ensure_future(start())
        for _ in range(200):
            waiting = await other.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database()"
            )
            if waiting:
                break
            await asyncio.sleep(0.01)
        assert waiting, f"the {what} never waited for the room's lock"
        await tx.commit()
    finally:
        await other.close()
    await asyncio.wait([task])
    return task
