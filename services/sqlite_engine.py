"""Tortoise's SQLite engine, with write transactions that wait for the lock.

Tortoise opens a transaction with a plain (deferred) `BEGIN`: it reads first and asks
for the write lock at its first write. If another connection to the same file (a
second process: the command line, a worker being replaced) committed in between, that
first write fails at once with "database is locked", with no wait, because the
snapshot it read is stale. `BEGIN IMMEDIATE` takes the write lock up front, so a
transaction waits for another process's commit (up to the busy timeout) instead, and
reads what that commit wrote. Within one process the connection is shared and its
transactions already run one at a time, so nothing else changes.

Named as the engine in `server.db.tortoise_config`; `group_commit` begins with `BEGIN` too.
"""

from __future__ import annotations

import sqlite3

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.exceptions import TransactionManagementError

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
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(_Transaction(self), self._lock)


client_class = Client
