"""Presence across workers: everyone sees everyone, and a killed worker's people leave."""

from __future__ import annotations

from typing import Any

import pytest

from realtime.presence_redis import HEARTBEAT_SECONDS, WORKER_TTL_SECONDS
from server.config import Settings
from tests.cluster.conftest import (
    Cluster,
    board,
    board_member,
    guest_follower,
    names_here,
    poker_room,
)
from tests.cluster.follower import Follower
from tests.cluster.processes import wait_until

# These workers renew their presence every 2 s and lapse after 6 (PRESENCE_TTL_SECONDS),
# so that a killed worker's people go sooner than with the default, by the same path:
# after the lapse and at most one renewal more.
TTL = 6
GHOST_LIMIT = TTL * 2.5
pytestmark = pytest.mark.worker_env(PRESENCE_TTL_SECONDS=str(TTL))


def test_by_default_a_dead_workers_people_are_gone_within_30_seconds() -> None:
    assert Settings().presence_ttl_seconds == WORKER_TTL_SECONDS
    assert WORKER_TTL_SECONDS + HEARTBEAT_SECONDS <= 30


async def test_people_on_three_workers_see_each_other_and_a_killed_workers_people_leave(
    cluster: Cluster,
) -> None:
    room = await poker_room(cluster, ["Ann", "Ben", "Cat", "Dan"])
    ann, ben, cat, dan = (guest_follower(room, i) for i in range(4))
    dan_second_tab = guest_follower(room, 3)
    await ann.connect(cluster.url(0))
    await ben.connect(cluster.url(1))
    await cat.connect(cluster.url(2))
    # Dan has a tab on worker 1 and one on worker 2.
    await dan.connect(cluster.url(1))
    await dan_second_tab.connect(cluster.url(2))
    everyone = ["Ann", "Ben", "Cat", "Dan"]

    for f in (ann, ben, cat, dan, dan_second_tab):

        async def sees_all(f: object = f) -> bool:
            return names_here(f) == everyone  # type: ignore[arg-type]

        await wait_until(sees_all, f"{f.name} sees all four", 15)
    # One entry per person, whatever the number of tabs and workers, in seat order on
    # every screen.
    seats = [name for name, _, _ in sorted(room.guests, key=lambda g: g[1])]
    for f in (ann, ben, cat, dan):
        assert [p["name"] for p in f.presence["participants"]] == seats  # type: ignore[index]

    cluster.workers[2].kill()

    async def cat_gone() -> bool:
        return names_here(ann) == ["Ann", "Ben", "Dan"] and names_here(ben) == names_here(ann)

    await wait_until(cat_gone, "Cat leaves the others' presence", GHOST_LIMIT)
    # Dan's tab on worker 1 keeps him here; no ghost of Cat stays in Redis.
    assert names_here(dan) == ["Ann", "Ben", "Dan"]
    fields = await cluster.backing.redis_keys(f"rt:presence:{room.room}")
    assert fields == [f"rt:presence:{room.room}"]
    for f in (ann, ben, dan):
        await f.close()

    async def room_empty() -> bool:
        return not await cluster.backing.redis_keys("rt:presence:*")

    await wait_until(room_empty, "presence emptied after everyone left", 10)


async def test_a_second_tab_on_another_worker_keeps_a_person_present(cluster: Cluster) -> None:
    room = await poker_room(cluster, ["Eve", "Fay"])
    eve_a, eve_b, fay = guest_follower(room, 0), guest_follower(room, 0), guest_follower(room, 1)
    await eve_a.connect(cluster.url(0))
    await eve_b.connect(cluster.url(1))
    await fay.connect(cluster.url(2))

    async def both() -> bool:
        return names_here(fay) == ["Eve", "Fay"]

    await wait_until(both, "Fay sees Eve", 15)
    seen = fay.presence_count
    await eve_a.close()

    # Eve's other tab lives: the list sent after her first tab closed still has her.
    async def updated() -> bool:
        return fay.presence_count > seen

    await wait_until(updated, "a presence message after Eve's first tab closed", 10)
    assert names_here(fay) == ["Eve", "Fay"]
    await eve_b.close()

    async def eve_left() -> bool:
        return names_here(fay) == ["Fay"]

    await wait_until(eve_left, "Eve leaves once her last tab closes", 10)
    await fay.close()


def _members(f: Follower) -> list[dict[str, Any]]:
    return list(f.presence["members"]) if f.presence else []


async def test_board_presence_and_focus_span_workers_and_a_killed_workers_people_leave(
    cluster: Cluster,
) -> None:
    b = await board(cluster, cards=2)
    bob_token = await board_member(cluster, b, "Bob")
    owner = Follower("/board", {"token": b.token, "project": b.project_id}, name="owner")
    owner_second = Follower("/board", {"token": b.token, "project": b.project_id}, name="owner 2")
    bob = Follower("/board", {"token": bob_token, "project": b.project_id}, name="bob")
    await owner.connect(cluster.url(0))
    await bob.connect(cluster.url(1))
    await owner_second.connect(cluster.url(2))
    ack = await bob.call("focus_card", {"card_id": b.cards[0], "mode": "editing"})
    assert ack["ok"], ack

    async def bob_editing_seen_everywhere() -> bool:
        for f in (owner, owner_second):
            people = {m["name"]: m["focus"] for m in _members(f)}
            if people != {"Bo Board": None, "Bob": {"cardId": b.cards[0], "mode": "editing"}}:
                return False
        return True

    await wait_until(bob_editing_seen_everywhere, "Bob's focus on the other workers", 15)

    cluster.workers[1].kill()

    async def bob_gone() -> bool:
        return all([m["name"] for m in _members(f)] == ["Bo Board"] for f in (owner, owner_second))

    await wait_until(bob_gone, "Bob leaves the board's presence", GHOST_LIMIT)
    await owner.close()
    await owner_second.close()
