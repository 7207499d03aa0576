"""Telling a database outage from a bug, so every edge can answer it as 503
`unavailable` instead of an internal error."""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]
from tortoise.exceptions import BaseORMException, DBConnectionError

# What a lost, refused or restarting database raises, through Tortoise or asyncpg.
_OUTAGE: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    DBConnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    # 57P01 admin shutdown, 57P03 cannot connect now: a restart in progress.
    asyncpg.exceptions.OperatorInterventionError,
)


# The base classes of everything above, for handlers looked up along an error's MRO;
# `is_outage` then tells an outage from other errors of these kinds.
OUTAGE_ROOTS: tuple[type[BaseException], ...] = (
    OSError,
    BaseORMException,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)


def is_outage(exc: BaseException) -> bool:
    """Whether `exc`, or what caused it, says the database is unreachable."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 8:
        if isinstance(current, _OUTAGE):
            return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False
