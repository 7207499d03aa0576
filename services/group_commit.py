"""Transactions written as steps (see `sql.Steps`), committed together on SQLite.

SQLite has one writer, so Tortoise runs every transaction on one connection, one at a
time, each statement a hop to the connection's thread and back. Here a transaction
written as steps runs whole in that thread, in one hop, and the transactions that
arrive while one hop is under way go together in the next: one BEGIN and one COMMIT for
all of them, each inside its own savepoint so that one refused is rolled back alone.
Every caller gets its answer only once the COMMIT has returned, so nothing is
acknowledged before it is durable.

On PostgreSQL the steps run one statement after another in a transaction of their own,
on a connection taken straight from the pool: a hot path's few statements cost less
than the ORM's transaction around them did. Inside a transaction already open, they run
on its connection.
"""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.backends.sqlite.client import SqliteClient
from tortoise.transactions import in_transaction

from services import sql
from services.sqlite_engine import BEGIN

T = TypeVar("T")

# At most this many transactions share a commit, so one hop stays short.
MAX_BATCH = 64


async def run(make: Callable[[], sql.Steps[T]]) -> T:
    """Run the steps `make()` returns as one transaction; its value once committed."""
    client = sql.client()
    batcher = _batcher(client)
    if batcher is not None:
        return await batcher.submit(make)
    pool = _pool(client)
    if pool is not None:
        async with pool.acquire() as conn, conn.transaction():
            return await sql.drive_asyncpg(conn, make())
    async with in_transaction():
        return await sql.drive(make())


def _pool(client: Any) -> Any:
    """The asyncpg pool behind the default connection, outside a transaction."""
    if isinstance(client, AsyncpgDBClient) and not isinstance(client, TransactionalDBClient):
        return getattr(client, "_pool", None)
    return None


async def read(make: Callable[[], sql.Steps[T]]) -> T:
    """Steps that only read. On SQLite they go in the next hop like a transaction, so
    they see a consistent state in one trip to the connection's thread; on PostgreSQL
    they run statement by statement on one connection from the pool (inside a
    transaction, on its own), with no BEGIN and COMMIT of their own."""
    client = sql.client()
    batcher = _batcher(client)
    if batcher is not None:
        return await batcher.submit(make, reads_only=True)
    pool = _pool(client)
    if pool is not None:
        return await _unwrapped(pool, make)
    return await sql.drive(make())


async def row(text: str, *args: Any) -> dict[str, Any] | None:
    """The first row of one reading statement. On SQLite, while the connection is busy
    it joins the next hop with the other reads and transactions waiting (a fifth of the
    CPU of a hop of its own when many come at once: a token read per request or
    connect, in a storm); with the connection free it goes at once in a hop of its own,
    without a batch's BEGIN and COMMIT, which would cost a lone read half again."""
    batcher = _batcher(sql.client())
    if batcher is not None and (batcher.flushing is not None or batcher.client._lock.locked()):
        return await batcher.submit(lambda: sql.first(text, *args), reads_only=True)
    return await sql.row(text, *args)


async def _unwrapped(pool: Any, make: Callable[[], sql.Steps[T]]) -> T:
    """Steps on a connection from the pool, each statement on its own."""
    async with pool.acquire() as conn:
        return await sql.drive_asyncpg(conn, make())


async def autocommit(make: Callable[[], sql.Steps[T]]) -> T:
    """PostgreSQL: steps whose statements each commit on their own, on a connection from
    the pool, with no BEGIN and COMMIT around them. Elsewhere, and inside a transaction
    already open, they run as `run` runs them."""
    pool = _pool(sql.client())
    if pool is None:
        return await run(make)
    return await _unwrapped(pool, make)


@dataclass
class _Unit:
    make: Callable[[], sql.Steps[Any]]
    done: asyncio.Future[Any]
    # The caller's context: the steps run in SQLite's thread as if in the caller's task.
    context: contextvars.Context
    # Steps that only read (`read`): nothing to roll back, so no savepoint of their own.
    reads_only: bool


@dataclass
class _Outcome:
    value: Any = None
    error: BaseException | None = None


@dataclass(eq=False)
class _Batcher:
    """The transactions waiting for the next hop to one SQLite connection."""

    client: SqliteClient
    pending: list[_Unit] = field(default_factory=list)
    flushing: asyncio.Task[None] | None = None

    async def submit(self, make: Callable[[], sql.Steps[T]], *, reads_only: bool = False) -> T:
        unit = _Unit(
            make,
            asyncio.get_running_loop().create_future(),
            contextvars.copy_context(),
            reads_only,
        )
        self.pending.append(unit)
        if self.flushing is None:
            self.flushing = asyncio.create_task(self._flush())
        value: T = await unit.done
        return value

    async def _flush(self) -> None:
        try:
            while self.pending:
                units, self.pending = self.pending[:MAX_BATCH], self.pending[MAX_BATCH:]
                try:
                    outcomes = await self._commit(units)
                except BaseException as exc:
                    # The commit itself failed: nothing of the batch is durable.
                    for unit in units:
                        if not unit.done.done():
                            unit.done.set_exception(exc)
                    if isinstance(exc, asyncio.CancelledError):
                        raise
                    continue
                for unit, outcome in zip(units, outcomes, strict=True):
                    if unit.done.done():
                        continue
                    if outcome.error is not None:
                        unit.done.set_exception(outcome.error)
                    else:
                        unit.done.set_result(outcome.value)
        finally:
            self.flushing = None
            if self.pending:
                self.flushing = asyncio.create_task(self._flush())

    async def _commit(self, units: list[_Unit]) -> list[_Outcome]:
        # Tortoise's own lock on the connection: no transaction of its interleaves.
        async with self.client._lock:
            if self.client._connection is None:
                await self.client.create_connection(with_db=True)
            connection = self.client._connection
            assert connection is not None
            steps = [(unit.context, unit.make(), unit.reads_only) for unit in units]
            # Reads alone need no write lock: a deferred BEGIN gives them one snapshot.
            begin = "BEGIN" if all(unit.reads_only for unit in units) else BEGIN
            # aiosqlite runs the function in the connection's thread and answers.
            outcomes: list[_Outcome] = await connection._execute(  # type: ignore[no-untyped-call]
                _in_one_transaction, connection._conn, steps, begin
            )
            return outcomes


def _in_one_transaction(
    db: sqlite3.Connection,
    batch: list[tuple[contextvars.Context, sql.Steps[Any], bool]],
    begin: str,
) -> list[_Outcome]:
    """In SQLite's thread: each transaction in a savepoint, one COMMIT for them all;
    steps that only read need no savepoint."""
    outcomes: list[_Outcome] = []
    sql.run_sync(db, begin)
    try:
        for context, steps, reads_only in batch:
            if reads_only:
                outcomes.append(_read_in(db, context, steps))
                continue
            sql.run_sync(db, "SAVEPOINT unit")
            try:
                value = context.run(sql.drive_sync, db, steps)
            except Exception as exc:
                sql.run_sync(db, "ROLLBACK TO unit")
                sql.run_sync(db, "RELEASE unit")
                outcomes.append(_Outcome(error=exc))
            else:
                sql.run_sync(db, "RELEASE unit")
                outcomes.append(_Outcome(value=value))
        sql.run_sync(db, "COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return outcomes


def _read_in(
    db: sqlite3.Connection, context: contextvars.Context, steps: sql.Steps[Any]
) -> _Outcome:
    try:
        return _Outcome(value=context.run(sql.drive_sync, db, steps))
    except Exception as exc:
        if not db.in_transaction:
            # SQLite ended the transaction itself (a full disk, say): the batch fails.
            raise
        return _Outcome(error=exc)


_batchers: weakref.WeakKeyDictionary[SqliteClient, _Batcher] = weakref.WeakKeyDictionary()


def _batcher(client: Any) -> _Batcher | None:
    """The batcher of SQLite's connection; None on PostgreSQL, or inside a transaction
    already open (its statements run on its connection)."""
    if not isinstance(client, SqliteClient) or isinstance(client, TransactionalDBClient):
        return None
    found = _batchers.get(client)
    if found is None:
        found = _batchers[client] = _Batcher(client)
    return found
