"""A websocket's reader ends after a silence, watched by the server's heartbeat: no
timer per connection, and nothing scheduled per frame."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from realtime.pings import Heartbeat, Silence

LIMIT = 0.2


@pytest.fixture
async def heartbeat() -> AsyncIterator[Heartbeat]:
    """A heartbeat swept every 10 ms, as the server sweeps its own every second."""
    watch = Heartbeat()

    async def sweep() -> None:
        while True:
            await watch.run(time.time())
            await asyncio.sleep(0.01)

    task = asyncio.ensure_future(sweep())
    try:
        yield watch
    finally:
        task.cancel()


async def _reader(
    heartbeat: Heartbeat, heard_every: float | None, lasting: float
) -> tuple[str, Silence]:
    """A read loop as the engine's: hears a frame every `heard_every` seconds (never,
    with None) for `lasting` seconds; 'silent' when the silence ended it."""
    silence = Silence(LIMIT, heartbeat)
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        while loop.time() - started < lasting:
            await asyncio.sleep(heard_every if heard_every is not None else lasting)
            if heard_every is not None:
                silence.heard()
        return "finished", silence
    except asyncio.CancelledError:
        if not silence.ended():
            raise
        return "silent", silence
    finally:
        silence.stop()


async def test_a_reader_that_keeps_hearing_lasts_past_the_limit(heartbeat: Heartbeat) -> None:
    outcome, _ = await _reader(heartbeat, heard_every=LIMIT / 4, lasting=LIMIT * 4)
    assert outcome == "finished"


async def test_a_silent_reader_is_ended_after_the_limit_and_not_cancelled(
    heartbeat: Heartbeat,
) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    task = asyncio.ensure_future(_reader(heartbeat, heard_every=None, lasting=LIMIT * 20))
    outcome, _ = await task
    assert outcome == "silent"
    assert LIMIT <= loop.time() - started < LIMIT * 10
    # The cancellation was taken back: the task ended normally.
    assert not task.cancelled() and task.cancelling() == 0


async def test_frames_schedule_nothing(heartbeat: Heartbeat) -> None:
    watched: list[float] = []
    real = heartbeat.due

    def counted(when: float, target: object, what: int) -> None:
        watched.append(when)
        real(when, target, what)  # type: ignore[arg-type]

    heartbeat.due = counted  # type: ignore[method-assign]
    silence = Silence(LIMIT, heartbeat)
    try:
        for _ in range(100):
            silence.heard()
            await asyncio.sleep(0)
        assert len(watched) == 1
        # Frames keep coming past the limit: when the heartbeat looks, it looks again
        # once, at the time the silence could next have lasted.
        for _ in range(6):
            await asyncio.sleep(LIMIT / 4)
            silence.heard()
        assert len(watched) == 2
        assert watched[1] > watched[0]
    finally:
        silence.stop()
    # Stopped, it holds nothing of its task, is dropped at its next look, and is looked
    # at no more.
    assert silence._task is None
    await asyncio.sleep(LIMIT * 1.5)
    assert len(watched) == 2 and not heartbeat._due


async def test_a_cancel_from_elsewhere_still_cancels(heartbeat: Heartbeat) -> None:
    async def reading() -> None:
        silence = Silence(LIMIT * 50, heartbeat)
        try:
            await asyncio.sleep(LIMIT * 50)
        except asyncio.CancelledError:
            if not silence.ended():
                raise
        finally:
            silence.stop()

    task = asyncio.ensure_future(reading())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
