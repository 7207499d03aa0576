"""The connections' small queue and event behave as asyncio's do where they are used."""

from __future__ import annotations

import asyncio

import pytest

from realtime.queues import LeanEvent, LeanQueue


async def test_items_come_out_in_order_and_a_getter_waits_for_one() -> None:
    q = LeanQueue()
    assert q.empty() and q.qsize() == 0
    with pytest.raises(asyncio.QueueEmpty):
        q.get_nowait()
    waiting = asyncio.ensure_future(q.get())
    await asyncio.sleep(0)
    assert not waiting.done()
    q.put_nowait("a")
    await q.put("b")
    assert await waiting == "a"
    assert q.qsize() == 1 and not q.empty()
    assert q.get_nowait() == "b"
    assert q.empty()


async def test_an_emptied_queue_holds_no_storage_and_fills_again() -> None:
    q = LeanQueue()
    q.put_nowait("a")
    assert q.get_nowait() == "a"
    assert q._items is None  # an idle connection's queue keeps no empty deque
    q.put_nowait("b")
    q.put_nowait("c")
    assert q.qsize() == 2
    assert [await q.get(), q.get_nowait()] == ["b", "c"]
    assert q._items is None and q.empty()


async def test_two_getters_each_get_one_item() -> None:
    q = LeanQueue()
    first, second = asyncio.ensure_future(q.get()), asyncio.ensure_future(q.get())
    await asyncio.sleep(0)
    q.put_nowait(1)
    q.put_nowait(2)
    assert sorted(await asyncio.gather(first, second)) == [1, 2]
    assert q.empty()


async def test_a_cancelled_getter_loses_nothing() -> None:
    q = LeanQueue()
    gone = asyncio.ensure_future(q.get())
    stays = asyncio.ensure_future(q.get())
    await asyncio.sleep(0)
    q.put_nowait("x")  # wakes the first getter...
    gone.cancel()  # ...which is cancelled before it runs
    assert await stays == "x"
    with pytest.raises(asyncio.CancelledError):
        await gone
    timed_out = asyncio.ensure_future(asyncio.wait_for(q.get(), 0.01))
    with pytest.raises(TimeoutError):
        await timed_out
    q.put_nowait("y")
    assert await q.get() == "y"


async def test_join_waits_until_every_item_is_done() -> None:
    q = LeanQueue()
    await asyncio.wait_for(q.join(), 1)  # nothing put: returns at once
    q.put_nowait(1)
    q.put_nowait(2)
    joined = asyncio.ensure_future(q.join())
    q.get_nowait()
    q.task_done()
    await asyncio.sleep(0)
    assert not joined.done()
    q.get_nowait()
    q.task_done()
    await asyncio.wait_for(joined, 1)
    with pytest.raises(ValueError):
        q.task_done()


async def test_the_lean_event_wakes_every_waiter_and_keeps_nothing_after() -> None:
    event = LeanEvent()
    assert not event.is_set()
    waiters = [asyncio.ensure_future(event.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters)
    event.set()
    assert await asyncio.gather(*waiters) == [True, True, True]
    assert event._waiters is None
    assert await event.wait() is True  # set: no wait at all
    event.clear()
    late = asyncio.ensure_future(event.wait())
    await asyncio.sleep(0)
    assert not late.done()
    late.cancel()
    with pytest.raises(asyncio.CancelledError):
        await late
    assert event._waiters is None and not event.is_set()
