"""Presence lists go out in the order they were read: a slow read never overtakes a
later one, so the last list a room receives is the current one."""

from __future__ import annotations

import asyncio
from typing import Any

from realtime.presence import PresenceBroadcaster


async def test_a_slow_presence_read_never_overtakes_a_later_one() -> None:
    state: dict[str, Any] = {"focus": None}
    sent: list[dict[str, Any]] = []
    reads = 0

    async def render(room: str) -> dict[str, Any]:
        nonlocal reads
        reads += 1
        snapshot = dict(state)
        if reads == 1:
            await asyncio.sleep(0.2)  # the first read is slow, as under load
        return snapshot

    async def send(room: str, body: dict[str, Any]) -> None:
        sent.append(body)

    broadcaster = PresenceBroadcaster(send, render, delay=0.01)
    broadcaster.changed("board:1")
    await asyncio.sleep(0.05)  # the first list is being read
    state["focus"] = "card-1"  # someone opens a card meanwhile
    broadcaster.changed("board:1")
    await asyncio.sleep(0.5)

    assert sent[-1] == {"focus": "card-1"}
    assert sent == [{"focus": None}, {"focus": "card-1"}]
