"""Datetimes read back from the database as they were written.

SQLite keeps them as text, so every row read parses its datetimes: a room's snapshot, on
every connect, parses a few dozen. Tortoise parses them with ciso8601 when it is
installed (a C parser, about ten times cheaper per value than its pure-Python fallback),
and the project installs it.
"""

from __future__ import annotations

import datetime as dt

import ciso8601
import pytest
from tortoise.fields import data

from models import PokerSession
from services import group_commit, sql
from tests.factories import voting_room

_ROW = "SELECT * FROM poker_sessions WHERE code = ?"


def test_tortoise_parses_datetimes_with_the_c_parser() -> None:
    assert vars(data)["parse_datetime"] is ciso8601.parse_datetime


@pytest.mark.parametrize(
    "ends",
    [
        dt.datetime(2026, 12, 4, 23, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        dt.datetime(2026, 12, 4, 21, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 4, 18, 0, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    ],
)
async def test_a_datetime_reads_back_as_the_same_instant_in_utc(db: str, ends: dt.datetime) -> None:
    code = await voting_room()
    session = await PokerSession.get(code=code)
    session.timer_ends_at = ends
    await session.save(update_fields=["timer_ends_at"])

    def reading() -> sql.Steps[PokerSession]:
        rows = yield sql.stmt(_ROW, code)
        return PokerSession._init_from_db(**rows[0])

    # Through the ORM, and from a plain row as the hot paths read them.
    for again in (await PokerSession.get(code=code), await group_commit.read(reading)):
        assert again.timer_ends_at == ends
        assert again.timer_ends_at.utcoffset() == dt.timedelta(0)
        assert again.created_at == session.created_at
        assert again.created_at.utcoffset() == dt.timedelta(0)
