"""The /workspace room: a pilotage change made anywhere shows on every open cockpit, in
seq order; an applied action moves the card on open boards; sync replays what a socket
missed; losing access closes the socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from models import WorkspaceMember
from tests.card_details import make_card
from tests.factories import add_member, create_board, create_user, jwt_for
from tests.realtime.board_clients import BoardTab
from tests.realtime.clients import LiveServer, personal_token, rest
from tests.realtime.workspace_clients import WorkspaceTab

Tabs = Callable[[], WorkspaceTab]


@pytest.fixture
async def ws_tabs(live_server: LiveServer) -> AsyncIterator[Tabs]:
    opened: list[WorkspaceTab] = []

    def open_tab() -> WorkspaceTab:
        tab = WorkspaceTab(live_server)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        await tab.close()


def pilotage(board: object) -> str:
    return f"/orgs/{board.org.slug}/workspaces/{board.workspace.slug}/pilotage"  # type: ignore[attr-defined]


async def test_a_change_shows_on_every_open_cockpit(ws_tabs: Tabs, live_server: LiveServer) -> None:
    board = await create_board()
    viewer = await create_user(name="Vic Viewer")
    await add_member(board, viewer, project_role=None)
    owner_jwt = jwt_for(board.owner)
    mine, theirs = ws_tabs(), ws_tabs()
    state = await mine.connect(owner_jwt, str(board.workspace.id))
    assert state["missions"] == [] and state["usageContext"]["role"] == "owner"
    assert state["workspace"]["slug"] == board.workspace.slug
    # Also by the organization's and the workspace's slugs.
    await theirs._open(
        {"token": jwt_for(viewer), "org": board.org.slug, "ws": board.workspace.slug}
    )
    await theirs.wait(lambda: theirs.state, "snapshot")
    assert theirs.state is not None and theirs.state["usageContext"]["role"] == "viewer"
    await mine.wait(lambda: mine.presence and len(mine.presence[-1]["members"]) == 2, "presence")
    made = await rest(
        live_server,
        "POST",
        pilotage(board) + "/missions",
        token=owner_jwt,
        json={"objective": "Ship billing"},
    )
    for tab in (mine, theirs):
        event = await tab.event("mission_created")
        assert event["data"]["mission"] == made
        assert event["actor"]["id"] == str(board.owner.id)
    await rest(
        live_server,
        "PATCH",
        f"{pilotage(board)}/missions/{made['id']}",
        token=owner_jwt,
        json={"status": "blocked", "blockedReason": "Waiting on API"},
    )
    updated = await theirs.event("mission_updated")
    assert updated["data"]["mission"]["blockedReason"] == "Waiting on API"
    # A socket that missed events replays them.
    replay = await theirs.ok("sync", {"since": state["seq"]})
    assert [e["type"] for e in replay["events"]] == ["mission_created", "mission_updated"]
    # From too far back (or a made-up seq), a fresh snapshot instead.
    fresh = await theirs.ok("sync", {"since": -1})
    assert fresh["snapshot"]["missions"][0]["blockedReason"] == "Waiting on API"
    assert fresh["snapshot"]["seq"] == updated["seq"]


async def test_an_applied_move_moves_the_card_on_an_open_board(
    ws_tabs: Tabs, live_server: LiveServer
) -> None:
    board = await create_board()
    card = await make_card(board, "Stripe webhooks")
    owner_jwt = jwt_for(board.owner)
    cockpit = ws_tabs()
    await cockpit.connect(owner_jwt, str(board.workspace.id))
    screen = BoardTab(live_server)
    try:
        await screen.connect(owner_jwt, str(board.project.id))
        proposed = await cockpit.ok(
            "propose_action",
            {
                "action_type": "move_card",
                "explanation": "All subtasks complete",
                "payload": {"cardId": str(card.id), "targetColumn": "Done"},
            },
        )
        assert proposed["status"] == "suggested"
        await cockpit.ok("review_action", {"action_id": proposed["id"], "approved": True})
        applied = await cockpit.ok("apply_action", {"action_id": proposed["id"]})
        assert applied["status"] == "applied"
        moved = await screen.event("card_moved")
        assert moved["data"]["columnId"] == str(board.columns[2].id)
        assert str(card.id) in screen.column(str(board.columns[2].id))
        kinds = [e["type"] for e in cockpit.events]
        assert kinds == ["action_proposed", "action_reviewed", "action_applied"]
        # A failed apply is an answer, and an event, not a half-done change.
        again = await cockpit.call("apply_action", {"action_id": proposed["id"]})
        assert again["ok"] is False and again["error"]["code"] == "conflict"
    finally:
        await screen.close()


async def test_removal_from_the_workspace_closes_its_sockets(
    ws_tabs: Tabs, live_server: LiveServer
) -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    tab, owners = ws_tabs(), ws_tabs()
    await tab.connect(jwt_for(member), str(board.workspace.id))
    await owners.connect(jwt_for(board.owner), str(board.workspace.id))
    await rest(
        live_server,
        "DELETE",
        f"/orgs/{board.org.slug}/workspaces/{board.workspace.slug}/members/{member.id}",
        token=jwt_for(board.owner),
    )
    await tab.wait_disconnected()
    await owners.event("member_removed")
    assert owners.sio.connected
    assert not await WorkspaceMember.filter(user_id=member.id).exists()
    refused = await ws_tabs().refused(
        {"token": jwt_for(member), "workspace": str(board.workspace.id)}
    )
    assert refused["code"] == "not_found"


async def test_a_revoked_token_closes_its_socket(ws_tabs: Tabs, live_server: LiveServer) -> None:
    board = await create_board()
    owner_jwt = jwt_for(board.owner)
    token_id, pat = await personal_token(live_server, owner_jwt, ["pilotage:read"])
    bot, browser = ws_tabs(), ws_tabs()
    await bot.connect(pat, str(board.workspace.id))
    await browser.connect(owner_jwt, str(board.workspace.id))
    await rest(live_server, "DELETE", f"/api-tokens/{token_id}", token=owner_jwt)
    revoked = await bot.wait(lambda: bot.revoked, "revoked notice")
    assert revoked["code"] == "unauthorized"
    await bot.wait_disconnected()
    await asyncio.sleep(0.2)
    assert browser.sio.connected and browser.revoked is None


async def test_removal_from_the_organization_closes_its_sockets(
    ws_tabs: Tabs, live_server: LiveServer
) -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    tab = ws_tabs()
    await tab.connect(jwt_for(member), str(board.workspace.id))
    await rest(
        live_server,
        "DELETE",
        f"/organizations/{board.org.slug}/members/{member.id}",
        token=jwt_for(board.owner),
    )
    await tab.wait_disconnected()
