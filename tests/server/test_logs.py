"""The JSON log's output: one flush per turn of the event loop, never a line held back,
and the standard library's records in the same format and stream as structlog's."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
import structlog

from server import logs
from server.logs import TickFlushedLogger


class _Output(io.BytesIO):
    """Unbuffered standard output as the logger sees it, counting writes and flushes."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0
        self.flushes = 0
        self.flushed = b""

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.writes += 1
        return super().write(data)

    def flush(self) -> None:
        self.flushes += 1
        self.flushed = self.getvalue()


def _line(n: int) -> bytes:
    return orjson.dumps({"event": "socket", "n": n})


async def test_lines_of_one_turn_leave_in_one_flush_before_the_loop_waits() -> None:
    out = _Output()
    logger = TickFlushedLogger(out)
    for n in range(3):
        logger.info(_line(n))
    assert out.writes == 0 and out.flushes == 0
    await asyncio.sleep(0)
    assert out.writes == 1 and out.flushes == 1
    assert out.flushed.splitlines() == [_line(0), _line(1), _line(2)]

    # The next turn's line gets a flush of its own.
    logger.info(_line(3))
    await asyncio.sleep(0)
    assert out.writes == 2 and out.flushes == 2
    assert out.flushed.splitlines()[-1] == _line(3)


async def test_a_line_from_a_thread_goes_at_once_after_the_lines_before_it() -> None:
    out = _Output()
    logger = TickFlushedLogger(out)
    logger.info(_line(1))  # due on this loop's next turn

    def in_a_thread() -> None:  # no loop running there
        logger.info(_line(2))

    await asyncio.to_thread(in_a_thread)
    assert out.flushed.splitlines() == [_line(1), _line(2)]


async def test_a_line_written_while_the_loop_sleeps_is_not_held() -> None:
    out = _Output()
    logger = TickFlushedLogger(out)
    loop = asyncio.get_running_loop()
    loop.call_later(0.01, logger.info, _line(7))
    # Nothing else is scheduled: the line must leave before the loop waits again.
    await asyncio.sleep(0.05)
    assert out.flushed == _line(7) + b"\n"


def test_with_no_loop_running_each_line_is_flushed_at_once() -> None:
    out = _Output()
    logger = TickFlushedLogger(out)
    logger.info(_line(1))
    assert out.flushes == 1 and out.flushed == _line(1) + b"\n"
    logger.error(_line(2))
    assert out.flushes == 2 and out.flushed.endswith(_line(2) + b"\n")


async def test_lines_left_at_exit_are_written_and_a_closed_output_is_passed_over() -> None:
    from server import logs

    left, closed = _Output(), _Output()
    for out in (left, closed):
        TickFlushedLogger(out).info(_line(9))  # due on the next turn, which never comes
    closed.close()
    logs._write_what_is_left()  # what runs at exit
    assert left.flushed == _line(9) + b"\n"


@pytest.fixture
def json_logs(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Logs set up as a server sets them up, in JSON; what was written so far, parsed."""
    level = logging.getLogger().level
    logs.configure("info", "json")

    def written() -> list[dict[str, Any]]:
        return [orjson.loads(line) for line in capsysbinary.readouterr().out.splitlines()]

    yield written
    logs.configure("warning", "json")
    logging.getLogger().setLevel(level)


async def test_a_library_record_is_a_json_line_after_the_lines_before_it(
    json_logs: Callable[[], list[dict[str, Any]]],
) -> None:
    structlog.get_logger("roundtable.socket").info("socket", command="vote")
    logging.getLogger("roundtable.jobs").warning("could not claim jobs (%s); trying again", "Busy")
    # structlog's line waited for the turn's end; the library's took it along, in order.
    assert [(line["event"], line["level"]) for line in json_logs()] == [
        ("socket", "info"),
        ("could not claim jobs (Busy); trying again", "warning"),
    ]
    # uvicorn's own lines are checked on a real server (test_serving.py): in this
    # process, servers started by other tests gave uvicorn's loggers handlers of theirs.
    logging.getLogger("tortoise").info("Tortoise-ORM started, %s", "sqlite")
    [line] = json_logs()
    assert line["logger"] == "tortoise" and line["event"] == "Tortoise-ORM started, sqlite"
    assert line["timestamp"].endswith("Z")


def test_a_traceback_is_one_field_of_one_line(
    json_logs: Callable[[], list[dict[str, Any]]],
) -> None:
    try:
        raise ValueError("bad row")
    except ValueError:
        logging.getLogger("roundtable.http").exception("request failed")
    [line] = json_logs()
    assert line["event"] == "request failed" and line["level"] == "error"
    assert line["exception"].startswith("Traceback (most recent call last)")
    assert "ValueError: bad row" in line["exception"]


def test_a_record_below_the_level_is_not_written(
    json_logs: Callable[[], list[dict[str, Any]]],
) -> None:
    logging.getLogger("tortoise").debug("a query")
    assert json_logs() == []


def test_configured_again_the_library_records_are_written_once(
    json_logs: Callable[[], list[dict[str, Any]]],
) -> None:
    logs.configure("info", "json")
    logging.getLogger("roundtable.mail").info("sent")
    assert [line["event"] for line in json_logs()] == ["sent"]
