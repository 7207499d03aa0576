"""Plain parameterised SQL on the current connection (the transaction's, inside one).

For the hot paths only, where building a query through the ORM and decoding its rows
into models costs more than the database work itself; Tortoise everywhere else. Write
`?` for each parameter: it becomes `$1, $2, …` on PostgreSQL.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar, cast

import asyncpg  # type: ignore[import-untyped]
import ciso8601
import orjson
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.context import require_context
from tortoise.exceptions import IntegrityError, OperationalError

_MARK = re.compile(r"\?")


@lru_cache(maxsize=256)
def numbered(sql: str) -> str:
    """A statement's `?` marks as PostgreSQL's `$1`, `$2`..."""
    count = iter(range(1, 1_000))
    return _MARK.sub(lambda _: f"${next(count)}", sql)


def client() -> BaseDBAsyncClient:
    """The current connection: the transaction's, inside one. Tortoise's own
    `connections.get("default")`, without the proxy in front of it: the hot paths ask
    for it several times a command."""
    return require_context().connections.get("default")


def _connection() -> tuple[BaseDBAsyncClient, bool]:
    conn = client()
    return conn, conn.capabilities.dialect == "postgres"


def is_postgres() -> bool:
    return _connection()[1]


async def rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Every row of a statement (a SELECT, or a write with RETURNING) as a dict."""
    conn, pg = _connection()
    return await conn.execute_query_dict(numbered(sql) if pg else sql, list(args))


async def row(sql: str, *args: Any) -> dict[str, Any] | None:
    found = await rows(sql, *args)
    return found[0] if found else None


def json_param(value: Any) -> str:
    """A JSON column's value as a parameter, encoded as Tortoise's JSONField stores it."""
    return orjson.dumps(value).decode()


def json_value(raw: Any) -> Any:
    """A JSON column as read back: text on SQLite, and on PostgreSQL without a codec."""
    return orjson.loads(raw) if isinstance(raw, str | bytes) else raw


def datetime_value(raw: Any) -> datetime | None:
    """A datetime column as read back, aware and in UTC, as Tortoise's field gives it:
    text on SQLite (parsed as Tortoise parses it), a datetime on PostgreSQL."""
    if raw is None:
        return None
    value = raw if isinstance(raw, datetime) else ciso8601.parse_datetime(raw)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def param(value: Any) -> Any:
    """A model's value as a statement's parameter: a UUID as its text, the rest as is."""
    return str(value) if isinstance(value, uuid.UUID) else value


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Stmt:
    """One statement of a transaction written as steps."""

    sql: str
    args: tuple[Any, ...]


def stmt(sql_text: str, *args: Any) -> Stmt:
    return Stmt(sql_text, args)


def marks(values: list[Any]) -> str:
    """One `?` for each of `values`, for an `IN (…)` list."""
    return ", ".join("?" * len(values))


# Values per `IN (…)` list: well under SQLite's limit on parameters in one statement.
IN_PER_READ = 500


Rows = list[dict[str, Any]]
T = TypeVar("T")
# A transaction written as steps: a generator that yields each statement and receives
# its rows. The same definition then runs statement by statement on a connection
# (`drive`), or all at once in SQLite's own thread (services/group_commit.py).
Steps = Generator[Stmt, Rows, T]


async def drive(steps: Steps[T]) -> T:
    """Run `steps` on the current connection, one statement after another."""
    try:
        step = next(steps)
        while True:
            step = steps.send(await rows(step.sql, *step.args))
    except StopIteration as done:
        return cast(T, done.value)


async def drive_asyncpg(conn: asyncpg.Connection, steps: Steps[T]) -> T:
    """Run `steps` on an asyncpg connection, one statement after another, with no ORM
    between: rows and errors as `rows` gives them."""
    try:
        step = next(steps)
        while True:
            try:
                found = await conn.fetch(numbered(step.sql), *step.args)
            except (asyncpg.SyntaxOrAccessError, asyncpg.exceptions.DataError) as exc:
                raise OperationalError(exc) from exc
            except asyncpg.IntegrityConstraintViolationError as exc:
                raise IntegrityError(exc) from exc
            step = steps.send([dict(r) for r in found])
    except StopIteration as done:
        return cast(T, done.value)


def first(text: str, *args: Any) -> Steps[dict[str, Any] | None]:
    """The first row of one statement, or None."""
    found = yield stmt(text, *args)
    return found[0] if found else None


def in_chunks(text: str, values: list[Any], *before: Any) -> Steps[Rows]:
    """The rows of `text` for all of `values`, named by its `IN ({marks})` list, 500 values
    a statement; `before` are the parameters ahead of the list."""
    found: Rows = []
    for at in range(0, len(values), IN_PER_READ):
        chunk = values[at : at + IN_PER_READ]
        found += yield stmt(text.format(marks=marks(chunk)), *before, *chunk)
    return found


def run_sync(db: sqlite3.Connection, text: str, args: tuple[Any, ...] = ()) -> Rows:
    """One statement on a SQLite connection, in its own thread; errors as Tortoise's."""
    try:
        return [dict(r) for r in db.execute(text, args).fetchall()]
    except sqlite3.IntegrityError as exc:
        raise IntegrityError(exc) from exc
    except sqlite3.OperationalError as exc:
        raise OperationalError(exc) from exc


def drive_sync(db: sqlite3.Connection, steps: Steps[T]) -> T:
    """Run `steps` on a SQLite connection in its own thread; rows as `rows` gives them."""
    try:
        step = next(steps)
        while True:
            step = steps.send(run_sync(db, step.sql, step.args))
    except StopIteration as done:
        return cast(T, done.value)
