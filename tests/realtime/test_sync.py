"""Catching up after a reconnect: the missed events, or a snapshot when they are gone."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from services.events import REPLAY_LIMIT
from services.poker.stories import start_timer
from tests.factories import guest
from tests.realtime.clients import Tab
from tests.realtime.conftest import Room

Tabs = Callable[[], Tab]


async def test_a_reconnected_client_gets_exactly_what_it_missed(tabs: Tabs, room: Room) -> None:
    _, _, token = await guest(room.code, "Rae")
    moderator, rae = tabs(), tabs()
    await moderator.connect(room.moderator_token, room.code)
    await rae.connect(token, room.code)
    await rae.ok("cast_vote", {"value": "5"})
    last_seen = (await rae.next_event("vote_cast"))["seq"]
    await rae.close()

    await moderator.ok("cast_vote", {"value": "3"})
    await moderator.ok("add_story", {"title": "Search"})
    await moderator.ok("reveal")
    await moderator.ok("start_timer", {"seconds": 90})
    await moderator.next_event("timer_started")
    missed = [e for e in moderator.events if e["seq"] > last_seen]
    assert [e["type"] for e in missed] == [
        "vote_cast",
        "story_added",
        "story_revealed",
        "timer_started",
    ]

    back = tabs()
    await back.connect(token, room.code)
    synced = await back.ok("sync", {"since": last_seen})

    assert synced == {"events": missed}
    assert await back.ok("sync", {"since": missed[-1]["seq"]}) == {"events": []}


async def test_sync_answers_a_snapshot_when_events_cannot_bridge_the_gap(
    tabs: Tabs, room: Room
) -> None:
    moderator = tabs()
    state = await moderator.connect(room.moderator_token, room.code)

    for since in (state["seq"] + 1, 10**12, -1):
        answer = await moderator.ok("sync", {"since": since})
        assert list(answer) == ["snapshot"], since
        snapshot = answer["snapshot"]
        assert snapshot["seq"] == state["seq"]
        assert snapshot["session"]["code"] == room.code
        assert snapshot["me"] == state["me"]
        assert snapshot["presence"] == state["presence"]

    # A room whose history has run past the replay window since the client's seq.
    for _ in range(REPLAY_LIMIT + 1):
        await start_timer(actor=room.moderator, code=room.code, seconds=60)
    head = state["seq"] + REPLAY_LIMIT + 1

    too_old = await moderator.ok("sync", {"since": state["seq"]})
    assert too_old["snapshot"]["seq"] == head
    assert too_old["snapshot"]["session"]["timer_ends_at"] is not None
    just_in_time = await moderator.ok("sync", {"since": state["seq"] + 1})
    assert [e["seq"] for e in just_in_time["events"]] == list(range(state["seq"] + 2, head + 1))


async def test_tabs_joining_mid_stream_get_state_first_then_every_later_event(
    tabs: Tabs, room: Room
) -> None:
    moderator = tabs()
    await moderator.connect(room.moderator_token, room.code)
    _, _, token = await guest(room.code, "Joy")

    async def vote_a_lot() -> None:
        for i in range(40):
            await moderator.ok("cast_vote", {"value": "3" if i % 2 else "5"})

    async def join() -> Tab:
        tab = tabs()
        await tab.connect(token, room.code)
        return tab

    voting = asyncio.create_task(vote_a_lot())
    joined = await asyncio.gather(*(join() for _ in range(6)))
    await asyncio.wait_for(voting, 30)
    head = (await moderator.ok("sync", {"since": 0}))["events"][-1]["seq"]

    for tab in joined:
        assert tab.state is not None
        await tab.wait(lambda t=tab: t.events and t.events[-1]["seq"] == head, "the last vote")
        assert tab.events_before_state == []
        seqs = [e["seq"] for e in tab.events]
        # An event committed while the snapshot was read can follow `state` although the
        # snapshot holds it already; clients skip seq <= the last they applied.
        assert all(seq >= tab.state["seq"] for seq in seqs)
        applied = [seq for seq in seqs if seq > tab.state["seq"]]
        assert applied == list(range(tab.state["seq"] + 1, head + 1))
