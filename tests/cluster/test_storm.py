"""A reconnect storm: 300 clients on three workers drop and come back at once while
the rooms keep changing."""

from __future__ import annotations

import asyncio

from tests.cluster.conftest import Cluster, PokerRoom, guest_follower, names_here, poker_room
from tests.cluster.follower import Follower, rest_ok
from tests.cluster.processes import wait_until

ROOMS = 10
PER_ROOM = 30


async def _bounded(jobs: list[object], limit: int = 60) -> None:
    gate = asyncio.Semaphore(limit)

    async def one(job: object) -> None:
        async with gate:
            await job  # type: ignore[misc]

    await asyncio.gather(*(one(j) for j in jobs))


async def test_300_clients_reconnecting_at_once_miss_nothing(cluster: Cluster) -> None:
    rooms: list[PokerRoom] = []
    for _ in range(ROOMS):
        rooms.append(await poker_room(cluster, [f"P{i:02d}" for i in range(PER_ROOM)]))
    clients: list[tuple[PokerRoom, Follower]] = [
        (room, guest_follower(room, i)) for room in rooms for i in range(PER_ROOM)
    ]
    await _bounded([f.connect(cluster.url(n)) for n, (_, f) in enumerate(clients)])
    starts = {id(f): f.seq for _, f in clients}

    async def votes_meanwhile() -> None:
        # Changes committed while the clients are away, each to be caught up with.
        for r in range(3):
            for room in rooms:
                _, pid, token = room.guests[r]
                await rest_ok(
                    cluster.url(r),
                    "POST",
                    f"/sessions/{room.code}/vote",
                    token=token,
                    json={"participant_id": pid, "vote": "5"},
                )

    # All drop at once; the rooms change while they are away; all come back at once,
    # each to another worker, and catch up.
    await asyncio.gather(*(f.close() for _, f in clients))
    await votes_meanwhile()
    await _bounded([f.connect(cluster.url(n + 1)) for n, (_, f) in enumerate(clients)], 300)

    for room in rooms:
        head = await cluster.room_head(room.room)
        members = [f for r, f in clients if r is room]
        for f in members:
            await f.wait_seq(head, within=30)
            f.assert_no_gap_or_duplicate(starts[id(f)], head)
        everyone = sorted(name for name, _, _ in room.guests)

        async def exact(f: Follower = members[0], everyone: list[str] = everyone) -> bool:
            return names_here(f) == everyone

        await wait_until(exact, f"presence of {room.code} lists all {PER_ROOM}", 20)
        rows = await cluster.backing.query(
            "SELECT count(*) AS n FROM votes WHERE story_id = $1", room.story_id
        )
        assert rows[0]["n"] == 3

    await asyncio.gather(*(f.close() for _, f in clients))

    async def nothing_left() -> bool:
        keys = await cluster.backing.redis_keys("rt:*")
        return all(not k.startswith("rt:presence:") and not k.endswith(":rooms") for k in keys)

    await wait_until(nothing_left, "no presence or room keys left in Redis", 15)
    # What stays is one heartbeat per live worker.
    heartbeats = await cluster.backing.redis_keys("rt:worker:*")
    assert len(heartbeats) == len(cluster.workers), heartbeats
