"""Tortoise's SQLite engine, with write transactions that wait for the lock and a log
copied back into the database file off the commit path.

Tortoise opens a transaction with a plain (deferred) `BEGIN`: it reads first and asks
for the write lock at its first write. If another connection to the same file (a
second process: the command line, a worker being replaced) committed in between, that
first write fails at once with "database is locked", with no wait, because the
snapshot it read is stale. `BEGIN IMMEDIATE` takes the write lock up front, so a
transaction waits for another process's commit (up to the busy timeout) instead, and
reads what that commit wrote. Within one process the connection is shared and its
transactions already run one at a time, so nothing else changes.

A database in a file also gets a thread that copies its write-ahead log back into the
file, so that a commit seldom does it (`services.wal_checkpoints`); it starts with the
connection and stops when it closes.

Named as the engine in `server.db.tortoise_config`; `group_commit` begins with `BEGIN` too.
"""

from __future__ import annotations

import asyncio
import sqlite3

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.exceptions import TransactionManagementError

from services.wal_checkpoints import WRITER_PAGES, Checkpointer

# The statement every write transaction on SQLite starts with, group commits included.
BEGIN = "BEGIN IMMEDIATE"


class _Transaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            if self._connection.in_transaction:
                # Left open by an interrupted statement: end it before starting anew.
                await self._connection.commit()
            await self._connection.execute(BEGIN)
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class Client(SqliteClient):
    """Also copies a file database's write-ahead log back from a thread of its own, so
    that a commit seldom pays for it (`services.wal_checkpoints`)."""

    _checkpointer: Checkpointer | None = None

    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(_Transaction(self), self._lock)

    async def create_connection(self, with_db: bool) -> None:
        fresh = self._connection is None
        await super().create_connection(with_db)
        if not fresh or self._connection is None or not self._on_disk():
            return
        cursor = await self._connection.execute(f"PRAGMA wal_autocheckpoint={WRITER_PAGES}")
        await cursor.close()
        self._checkpointer = Checkpointer(self.filename)
        self._checkpointer.start()

    async def close(self) -> None:
        checkpointer, self._checkpointer = self._checkpointer, None
        if checkpointer is not None:
            await asyncio.to_thread(checkpointer.stop)
        await super().close()

    def _on_disk(self) -> bool:
        name = self.filename
        return bool(name) and name != ":memory:" and not name.startswith("file::memory:")


client_class = Client
