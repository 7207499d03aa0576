"""Presence lists go out in the order they were read: a slow read never overtakes a
later one, so the last list a room receives is the current one."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace
from typing import Any

import pytest

from realtime import presence
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
    # Both flushes are done: the room's turn is not kept.
    assert broadcaster._turns.rooms_held() == 0


async def test_rooms_quiet_for_a_while_are_forgotten_and_the_rest_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Quiet after 10 intervals of 0.1 s, on a clock of the test's own. Each flush forgets
    # only the rooms at the start of its record, so a room sent again must move behind
    # the ones sent since.
    clock = SimpleNamespace(now=100.0)
    monkeypatch.setattr(
        presence, "time", SimpleNamespace(monotonic=lambda: clock.now, time=time.time)
    )
    sent: list[str] = []

    async def render(room: str) -> dict[str, Any]:
        return {"room": room}

    async def send(room: str, body: dict[str, Any]) -> None:
        sent.append(room)

    broadcaster = PresenceBroadcaster(send, render, delay=0.001, min_interval=0.1)
    broadcaster.changed("poker:a")
    broadcaster.changed("poker:b")
    await asyncio.sleep(0.05)
    clock.now += 0.6
    broadcaster.changed("poker:a")  # a again, 0.6 s later
    await asyncio.sleep(0.05)
    clock.now += 0.6
    broadcaster.changed("poker:c")  # b is 1.2 s quiet now, a only 0.6 s
    await asyncio.sleep(0.05)

    assert sorted(sent[:2]) == ["poker:a", "poker:b"]
    assert sent[2:] == ["poker:a", "poker:c"]
    assert list(broadcaster._last_sent) == ["poker:a", "poker:c"]
