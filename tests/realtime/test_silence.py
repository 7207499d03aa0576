"""A websocket's reader ends after a silence, with one timer per connection."""

from __future__ import annotations

import asyncio

import pytest

from realtime.engine import Silence

LIMIT = 0.2


async def _reader(heard_every: float | None, lasting: float) -> tuple[str, Silence]:
    """A read loop as the engine's: hears a frame every `heard_every` seconds (never,
    with None) for `lasting` seconds; 'silent' when the silence ended it."""
    silence = Silence(LIMIT)
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


async def test_a_reader_that_keeps_hearing_lasts_past_the_limit() -> None:
    outcome, _ = await _reader(heard_every=LIMIT / 4, lasting=LIMIT * 4)
    assert outcome == "finished"


async def test_a_silent_reader_is_ended_after_the_limit_and_not_cancelled() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    task = asyncio.ensure_future(_reader(heard_every=None, lasting=LIMIT * 20))
    outcome, silence = await task
    assert outcome == "silent" and silence.ended()
    assert LIMIT <= loop.time() - started < LIMIT * 10
    # The cancellation was taken back: the task ended normally.
    assert not task.cancelled() and task.cancelling() == 0


async def test_frames_do_not_make_timers() -> None:
    silence = Silence(LIMIT)
    loop = asyncio.get_running_loop()
    armed: list[float] = []
    real = loop.call_at

    def counted(when: float, callback: object, *args: object, **kwargs: object) -> object:
        if callback == silence._check:
            armed.append(when)
        return real(when, callback, *args, **kwargs)  # type: ignore[arg-type]

    loop.call_at = counted  # type: ignore[method-assign, assignment]
    try:
        for _ in range(100):
            silence.heard()
            await asyncio.sleep(0)
        assert armed == []
        # Frames keep coming past the limit: when the timer fires it moves on, once.
        for _ in range(6):
            await asyncio.sleep(LIMIT / 4)
            silence.heard()
        assert len(armed) == 1
    finally:
        loop.call_at = real  # type: ignore[method-assign]
        silence.stop()


async def test_a_cancel_from_elsewhere_still_cancels() -> None:
    async def reading() -> None:
        silence = Silence(LIMIT * 50)
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
