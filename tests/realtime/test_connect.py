"""Joining a room over /poker: the first `state`, and every way a connection is refused."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import socketio

from services.security import JWT_ALGORITHM
from tests.conftest import TEST_SECRET
from tests.factories import create_user, guest, jwt_for, poker_room
from tests.realtime.clients import LiveServer, Tab, online, personal_token
from tests.realtime.conftest import Room

Tabs = Callable[[], Tab]


async def test_state_arrives_first_with_the_room_and_its_seq(tabs: Tabs, room: Room) -> None:
    tab = tabs()
    state = await tab.connect(room.moderator_token, room.code)

    assert state["session"]["code"] == room.code
    assert state["session"]["name"] == "Sprint 7"
    # story_added and story_started so far.
    assert state["seq"] == 2
    assert [s["title"] for s in state["stories"]] == ["Login page"]
    assert state["session"]["current_story_id"] == room.story_id
    assert state["me"]["role"] == "moderator"
    assert state["me"]["vote"] is None
    assert online(state["presence"]["participants"]) == [state["me"]["participant_id"]]
    assert tab.events == []


async def test_a_guest_sees_the_room_as_a_participant(tabs: Tabs, room: Room) -> None:
    _, guest_id, token = await guest(room.code, "Gus")
    state = await tabs().connect(token, room.code)

    assert state["me"] == {
        "participant_id": guest_id,
        "name": "Gus",
        "role": "participant",
        "can_vote": True,
        "vote": None,
    }
    assert guest_id in [p["id"] for p in state["participants"]]


async def test_the_code_is_case_insensitive(tabs: Tabs, room: Room) -> None:
    state = await tabs().connect(room.moderator_token, room.code.lower())
    assert state["session"]["code"] == room.code


async def test_a_signed_in_stranger_joins_on_connect(tabs: Tabs, room: Room) -> None:
    moderator = tabs()
    await moderator.connect(room.moderator_token, room.code)
    stranger = await create_user(name="Sam Stranger")

    state = await tabs().connect(jwt_for(stranger), room.code)

    assert state["me"]["name"] == "Sam Stranger"
    assert state["me"]["role"] == "participant"
    joined = await moderator.next_event("participant_joined")
    assert joined["data"]["participant"]["id"] == state["me"]["participant_id"]
    assert joined["seq"] == state["seq"]
    # Connecting again takes the same seat, without a second join.
    again = await tabs().connect(jwt_for(stranger), room.code)
    assert again["me"]["participant_id"] == state["me"]["participant_id"]
    assert again["seq"] == state["seq"]


async def test_refusals_carry_a_code_and_a_message(tabs: Tabs, room: Room) -> None:
    expired = jwt.encode(
        {
            "sub": str(uuid.uuid4()),
            "ver": 0,
            "iat": datetime.now(UTC) - timedelta(hours=2),
            "exp": datetime.now(UTC) - timedelta(hours=1),
        },
        TEST_SECRET,
        algorithm=JWT_ALGORITHM,
    )
    forged = jwt_for(await create_user()) + "x"
    _, _, other_session = await poker_room()
    _, _, foreign_guest = await guest(other_session["code"], "Elsewhere")
    cases = [
        (None, "unauthorized"),
        ({}, "unauthorized"),
        ({"code": room.code}, "unauthorized"),
        ({"token": "", "code": room.code}, "unauthorized"),
        ({"token": 42, "code": room.code}, "unauthorized"),
        ({"token": "rtg_not-a-real-token", "code": room.code}, "unauthorized"),
        ({"token": "rtp_not-a-real-token", "code": room.code}, "unauthorized"),
        ({"token": forged, "code": room.code}, "unauthorized"),
        ({"token": expired, "code": room.code}, "unauthorized"),
        ({"token": room.moderator_token, "code": "ZZZZZZ"}, "not_found"),
        ({"token": room.moderator_token}, "invalid"),
        ({"token": foreign_guest, "code": room.code}, "forbidden"),
    ]
    for auth, code in cases:
        refusal = await tabs().refused(auth)
        assert refusal["code"] == code, (auth, refusal)
        assert isinstance(refusal["message"], str) and refusal["message"]
    assert "expired" in (await tabs().refused({"token": expired, "code": room.code}))["message"]


async def test_browsers_from_other_origins_are_turned_away(
    tabs: Tabs, room: Room, live_server: LiveServer
) -> None:
    foreign = tabs()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await foreign.sio.connect(
            live_server.url,
            namespaces=["/poker"],
            auth={"token": room.moderator_token, "code": room.code},
            headers={"Origin": "https://evil.example"},
            transports=["websocket"],
            wait_timeout=5,
        )
    assert foreign.state is None

    own = tabs()
    await own.sio.connect(
        live_server.url,
        namespaces=["/poker"],
        auth={"token": room.moderator_token, "code": room.code},
        headers={"Origin": live_server.url},
        transports=["websocket"],
        wait_timeout=5,
    )
    assert (await own.wait(lambda: own.state, "state"))["session"]["code"] == room.code


async def test_the_token_is_never_read_from_the_query_string(tabs: Tabs, room: Room) -> None:
    query = f"token={room.moderator_token}&code={room.code}"
    refusal = await tabs().refused({"code": room.code}, query=query)
    assert refusal["code"] == "unauthorized"


async def test_personal_access_tokens_need_poker_scopes(
    tabs: Tabs, room: Room, live_server: LiveServer
) -> None:
    _, no_poker = await personal_token(live_server, room.moderator_token, ["projects:read"])
    refusal = await tabs().refused({"token": no_poker, "code": room.code})
    assert refusal["code"] == "forbidden"
    assert "poker:read" in refusal["message"]

    _, read_only = await personal_token(live_server, room.moderator_token, ["poker:read"])
    reader = tabs()
    state = await reader.connect(read_only, room.code)
    assert state["me"]["role"] == "moderator"
    denied = await reader.call("cast_vote", {"value": "5"})
    assert denied["ok"] is False
    assert denied["error"]["code"] == "forbidden"
    assert "poker:write" in denied["error"]["message"]
    synced = await reader.ok("sync", {"since": state["seq"]})
    assert synced == {"events": []}

    # A read-only token cannot take a new seat, since joining changes the room.
    stranger = await create_user()
    _, stranger_read_only = await personal_token(live_server, jwt_for(stranger), ["poker:read"])
    refusal = await tabs().refused({"token": stranger_read_only, "code": room.code})
    assert refusal["code"] == "forbidden"

    _, writer = await personal_token(
        live_server, room.moderator_token, ["poker:read", "poker:write"]
    )
    bot = tabs()
    await bot.connect(writer, room.code)
    assert (await bot.ok("cast_vote", {"value": "8"}))["vote"]["value"] == "8"
