"""Changes that do not come from a socket still reach the room live: from REST, and
from another process publishing through Redis as another worker would."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
import socketio

from realtime.publisher import RoomPublisher
from services import events
from services.poker.sessions import remove_participant
from services.poker.stories import add_story
from tests.factories import guest
from tests.realtime.clients import LiveServer, Tab, online, rest
from tests.realtime.conftest import Room

Tabs = Callable[[], Tab]


async def test_changes_made_over_rest_arrive_live(
    tabs: Tabs, room: Room, live_server: LiveServer
) -> None:
    moderator = tabs()
    await moderator.connect(room.moderator_token, room.code)
    joined = await rest(live_server, "POST", f"/sessions/{room.code}/join", json={"name": "Rex"})
    rex_id, rex_token = joined["participant"]["id"], joined["token"]
    assert (await moderator.next_event("participant_joined"))["data"]["participant"]["id"] == rex_id
    rex = tabs()
    await rex.connect(rex_token, room.code)

    await rest(
        live_server,
        "POST",
        f"/sessions/{room.code}/stories",
        token=room.moderator_token,
        json={"title": "Made over REST"},
    )
    added = await rex.next_event("story_added")
    assert added["data"]["story"]["title"] == "Made over REST"
    assert added["actor"]["name"] == "Mia Moderator"

    await rest(
        live_server,
        "POST",
        f"/sessions/{room.code}/vote",
        token=rex_token,
        json={"participant_id": rex_id, "vote": "5"},
    )
    cast = await moderator.next_event("vote_cast")
    assert cast["data"] == {"story_id": room.story_id, "participant_id": rex_id, "votes_cast": 1}
    seqs = [e["seq"] for e in moderator.events]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))


@pytest.fixture
async def worker_publisher(live_server: LiveServer) -> AsyncIterator[None]:
    """Make this process publish like another worker: through the server's Redis."""
    assert live_server.redis_url is not None
    manager = socketio.AsyncRedisManager(live_server.redis_url, write_only=True)
    publisher = RoomPublisher(manager)
    events.subscribe(publisher)
    try:
        yield
    finally:
        events.unsubscribe(publisher)
        if manager.redis is not None:
            await manager.redis.aclose()


@pytest.mark.cross_process
async def test_changes_published_by_another_process_arrive_live(
    tabs: Tabs, room: Room, worker_publisher: None
) -> None:
    moderator = tabs()
    await moderator.connect(room.moderator_token, room.code)
    _, kai_id, token = await guest(room.code, "Kai")
    assert (await moderator.next_event("participant_joined"))["data"]["participant"]["id"] == kai_id
    kai = tabs()
    await kai.connect(token, room.code)

    await add_story(actor=room.moderator, code=room.code, title="From another worker")
    for tab in (moderator, kai):
        added = await tab.next_event("story_added")
        assert added["data"]["story"]["title"] == "From another worker"

    # A kick made elsewhere still closes the guest's socket where it lives.
    await remove_participant(actor=room.moderator, code=room.code, participant_id=kai_id)
    assert (await kai.next_event("participant_left"))["data"]["participant_id"] == kai_id
    await kai.wait_disconnected()
    await moderator.presence_where(lambda ps: kai_id not in online(ps))
