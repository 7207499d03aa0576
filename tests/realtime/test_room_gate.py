"""The room gate: one holder per room at a time, in the order they came, rooms apart
from each other, and nothing kept once everyone has let go."""

from __future__ import annotations

import asyncio

import pytest

from realtime.publisher import RoomGate


async def test_holders_of_a_room_take_turns_in_order_and_other_rooms_do_not_wait() -> None:
    gate = RoomGate()
    seen: list[str] = []
    first_in = asyncio.Event()
    let_go = asyncio.Event()

    async def slow() -> None:
        async with gate.hold("poker:ABC123"):
            seen.append("slow in")
            first_in.set()
            await let_go.wait()
            seen.append("slow out")

    async def after(name: str, room: str) -> None:
        async with gate.hold(room):
            seen.append(name)

    holder = asyncio.create_task(slow())
    await first_in.wait()
    waiting = [asyncio.create_task(after(f"next {n}", "poker:ABC123")) for n in range(3)]
    await after("elsewhere", "board:1")  # another room's holder goes at once
    await asyncio.sleep(0.01)
    assert seen == ["slow in", "elsewhere"]
    assert gate.rooms_held() == 1

    let_go.set()
    await asyncio.gather(holder, *waiting)
    assert seen == ["slow in", "elsewhere", "slow out", "next 0", "next 1", "next 2"]
    assert gate.rooms_held() == 0


async def test_a_waiter_cancelled_or_a_holder_that_raises_leaves_nothing_behind() -> None:
    gate = RoomGate()
    first_in = asyncio.Event()
    let_go = asyncio.Event()

    async def hold_until_told() -> None:
        async with gate.hold("board:2"):
            first_in.set()
            await let_go.wait()

    async def wait_in_vain() -> None:
        async with gate.hold("board:2"):
            raise AssertionError("a cancelled waiter never gets in")

    holder = asyncio.create_task(hold_until_told())
    await first_in.wait()
    waiter = asyncio.create_task(wait_in_vain())
    await asyncio.sleep(0.01)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    let_go.set()
    await holder
    assert gate.rooms_held() == 0

    with pytest.raises(ValueError):
        async with gate.hold("board:2"):
            raise ValueError("the block failed")
    assert gate.rooms_held() == 0
    # And the room can be held again.
    async with gate.hold("board:2"):
        assert gate.rooms_held() == 1
    assert gate.rooms_held() == 0
