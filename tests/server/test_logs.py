"""The JSON log's output: one flush per turn of the event loop, never a line held back."""

from __future__ import annotations

import asyncio
import io

import orjson

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
