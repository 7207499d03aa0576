"""Every statement a piece of code sends to the database, and the rows each brings back:
the hot-path bounds (tests/services/test_hot_path_queries.py) and the lists that read
the same whatever their length count with them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest
from tortoise import connections
from tortoise.backends.sqlite.client import SqliteClient

# asyncpg's ways of sending a statement; BEGIN and COMMIT go through `execute`. Counted
# on the connection itself, under Tortoise and beside it (the hot paths' steps take
# their connection straight from the pool).
_ASYNCPG = ("execute", "executemany", "fetch", "fetchrow", "fetchval")


def _count_asyncpg(
    monkeypatch: pytest.MonkeyPatch, seen: list[str], rows: list[int] | None = None
) -> None:
    for name in _ASYNCPG:
        real = getattr(asyncpg.Connection, name)

        def counted(real: Any = real, name: str = name) -> Any:
            async def run(self: Any, *args: Any, **kwargs: Any) -> Any:
                seen.append(f"{name} {' '.join(str(args[0]).split())[:70] if args else ''}")
                result = await real(self, *args, **kwargs)
                if rows is not None and name == "fetch":
                    rows.append(len(result))
                elif rows is not None and name == "fetchrow":
                    rows.append(0 if result is None else 1)
                return result

            return run

        monkeypatch.setattr(asyncpg.Connection, name, counted())


@asynccontextmanager
async def statements(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[list[str]]:
    """Every statement sent to the database, in or out of a transaction."""
    seen: list[str] = []
    connection = connections.get("default")
    if isinstance(connection, SqliteClient):
        # Set in SQLite's own thread, where aiosqlite runs the connection.
        conn = connection._connection
        assert conn is not None

        def trace(text: str) -> None:
            seen.append(" ".join(text.split())[:70])

        await conn._execute(conn._conn.set_trace_callback, trace)
        try:
            yield seen
        finally:
            await conn._execute(conn._conn.set_trace_callback, None)
        return
    _count_asyncpg(monkeypatch, seen)
    yield seen


@asynccontextmanager
async def rows_read(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[list[int]]:
    """How many rows each query brought back, on either database."""
    counts: list[int] = []
    connection = connections.get("default")
    if not isinstance(connection, SqliteClient):
        _count_asyncpg(monkeypatch, [], counts)
        yield counts
        monkeypatch.undo()
        return
    client = type(connection)
    for cls in (client, *client.__subclasses__()):
        for name in ("execute_query", "execute_query_dict"):
            real = vars(cls).get(name)
            if real is None:
                continue

            def counted(real: Any = real) -> Any:
                async def run(self: Any, *args: Any, **kwargs: Any) -> Any:
                    result = await real(self, *args, **kwargs)
                    found = result[1] if isinstance(result, tuple) else result
                    counts.append(len(found))
                    return result

                return run

            monkeypatch.setattr(cls, name, counted())
    yield counts
    monkeypatch.undo()
