"""Losing access reaches open sockets: a kicked guest and a revoked token are cut off."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime

from models import ApiToken
from tests.factories import DEFAULT_PASSWORD
from tests.realtime.clients import LiveServer, Tab, online, personal_token, rest
from tests.realtime.conftest import RECHECK_SECONDS, Room

Tabs = Callable[[], Tab]


async def test_a_kicked_guest_is_disconnected_from_every_tab(
    tabs: Tabs, room: Room, live_server: LiveServer
) -> None:
    moderator = tabs()
    await moderator.connect(room.moderator_token, room.code)
    joined = await rest(live_server, "POST", f"/sessions/{room.code}/join", json={"name": "Kit"})
    kit_id, kit_token = joined["participant"]["id"], joined["token"]
    assert (await moderator.next_event("participant_joined"))["data"]["participant"]["id"] == kit_id
    first, second = tabs(), tabs()
    await first.connect(kit_token, room.code)
    await second.connect(kit_token, room.code)
    await moderator.presence_where(lambda ps: kit_id in online(ps))

    await rest(
        live_server,
        "DELETE",
        f"/sessions/{room.code}/participants/{kit_id}",
        token=room.moderator_token,
    )

    for tab in (first, second):
        left = await tab.next_event("participant_left")
        assert left["data"] == {"participant_id": kit_id}
        await tab.wait_disconnected()
    assert (await moderator.next_event("participant_left"))["data"]["participant_id"] == kit_id
    await moderator.presence_where(lambda ps: kit_id not in online(ps))
    assert not moderator.disconnected
    refusal = await tabs().refused({"token": kit_token, "code": room.code})
    assert refusal["code"] == "unauthorized"


async def test_revoking_a_token_closes_the_sockets_it_opened(
    tabs: Tabs, room: Room, live_server: LiveServer
) -> None:
    token_id, pat = await personal_token(live_server, room.moderator_token, ["poker:read"])
    bot, browser = tabs(), tabs()
    await bot.connect(pat, room.code)
    await browser.connect(room.moderator_token, room.code)

    await rest(live_server, "DELETE", f"/api-tokens/{token_id}", token=room.moderator_token)

    revoked = await bot.wait(lambda: bot.revoked, "revoked notice")
    assert revoked["code"] == "unauthorized"
    await bot.wait_disconnected()
    # The same person's JWT session is untouched.
    assert not browser.disconnected
    assert browser.revoked is None
    assert await browser.ok("sync", {"since": 10**9}) is not None
    refusal = await tabs().refused({"token": pat, "code": room.code})
    assert refusal["code"] == "unauthorized"
    assert "revoked" in refusal["message"]


async def test_a_password_change_closes_the_sockets_opened_with_older_jwts(
    tabs: Tabs, room: Room, live_server: LiveServer
) -> None:
    _, pat = await personal_token(live_server, room.moderator_token, ["poker:read"])
    old_jwt_tab, bot = tabs(), tabs()
    await old_jwt_tab.connect(room.moderator_token, room.code)
    await bot.connect(pat, room.code)

    changed = await rest(
        live_server,
        "POST",
        "/auth/change-password",
        token=room.moderator_token,
        json={"currentPassword": DEFAULT_PASSWORD, "newPassword": "a-brand-new-secret"},
    )

    revoked = await old_jwt_tab.wait(lambda: old_jwt_tab.revoked, "revoked notice")
    assert revoked["code"] == "unauthorized"
    await old_jwt_tab.wait_disconnected()
    refusal = await tabs().refused({"token": room.moderator_token, "code": room.code})
    assert refusal["code"] == "unauthorized"
    # The fresh JWT works, and a personal access token outlives the password change.
    fresh = tabs()
    await fresh.connect(changed["access_token"], room.code)
    assert not bot.disconnected and bot.revoked is None
    assert await bot.ok("sync", {"since": 10**9}) is not None


async def test_a_socket_acts_on_the_identity_it_was_admitted_with_until_the_recheck(
    tabs: Tabs, room: Room, live_server: LiveServer
) -> None:
    """Commands do not read the token again: a revocation written to the database
    without its event (one a worker missed) holds once the socket's identity is older
    than the recheck interval, and every later command is refused."""
    token_id, pat = await personal_token(
        live_server, room.moderator_token, ["poker:read", "poker:write"]
    )
    bot = tabs()
    await bot.connect(pat, room.code)
    admitted = time.monotonic()
    await ApiToken.filter(id=token_id).update(revoked_at=datetime.now(UTC))

    kept = await bot.call("sync", {"since": 0})
    assert time.monotonic() - admitted < RECHECK_SECONDS, "too slow to observe the kept identity"
    assert kept["ok"] is True

    await asyncio.sleep(RECHECK_SECONDS + 0.2 - (time.monotonic() - admitted))
    refused = await bot.call("sync", {"since": 0})
    assert refused["ok"] is False
    assert refused["error"]["code"] == "unauthorized"
    assert (await bot.call("cast_vote", {"value": "5"}))["error"]["code"] == "unauthorized"
