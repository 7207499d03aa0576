"""The live board: what every screen sees when people drop, edit and look at cards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from models import Project, ProjectMember
from services.boards import cards
from services.boards.locate import ProjectRef
from tests.factories import Board, add_member, create_board, create_user, jwt_for, user_actor
from tests.realtime.board_clients import BoardTab
from tests.realtime.clients import LiveServer, personal_token, rest

Tabs = Callable[[], BoardTab]


@pytest.fixture
async def tabs(live_server: LiveServer) -> AsyncIterator[Tabs]:
    opened: list[BoardTab] = []

    def open_tab() -> BoardTab:
        tab = BoardTab(live_server)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        await tab.close()


async def _team(live_server: LiveServer) -> tuple[Board, str, Any, str]:
    """A board with its owner (Ada) and a member (Bob), and each one's JWT."""
    ada = await create_user(name="Ada")
    board = await create_board(ada)
    bob = await create_user(name="Bob")
    await add_member(board, bob)
    return board, jwt_for(ada), bob, jwt_for(bob)


async def _cards(board: Board, n: int, col: int = 0) -> list[str]:
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    ids = []
    for i in range(n):
        card = await cards.create_card(
            actor=actor, ref=ref, column_id=board.columns[col].id, fields={"title": f"Card {i}"}
        )
        ids.append(card["id"])
    return ids


async def _server_order(live: LiveServer, board: Board, token: str, column_id: str) -> list[str]:
    path = board.base.removeprefix("/api") + f"/cards?columnId={column_id}"
    return [c["id"] for c in await rest(live, "GET", path, token=token)]


async def test_connecting_sends_the_board_and_who_is_here(
    tabs: Tabs, live_server: LiveServer
) -> None:
    board, ada_jwt, _, bob_jwt = await _team(live_server)
    ids = await _cards(board, 2)
    state = await tabs().connect(ada_jwt, str(board.project.id))
    assert state["project"]["id"] == str(board.project.id)
    assert [c["name"] for c in state["columns"]] == ["To Do", "Doing", "Done"]
    assert [c["id"] for c in state["cards"]] == ids
    assert {m["name"] for m in state["members"]} == {"Ada", "Bob"}
    assert [m["name"] for m in state["presence"]["members"]] == ["Ada"]
    assert isinstance(state["seq"], int)
    bob = tabs()
    await bob.connect(bob_jwt, str(board.project.id))
    await bob.members_where(lambda ms: [m["name"] for m in ms] == ["Ada", "Bob"])


async def test_outsiders_cannot_open_the_board(tabs: Tabs, live_server: LiveServer) -> None:
    board, _, _, _ = await _team(live_server)
    stranger = await create_user()
    pid = str(board.project.id)
    assert (await tabs().refused({"token": jwt_for(stranger), "project": pid}))[
        "code"
    ] == "not_found"
    assert (await tabs().refused({"project": pid}))["code"] == "unauthorized"
    assert (await tabs().refused({"token": "nonsense", "project": pid}))["code"] == "unauthorized"
    assert (await tabs().refused({"token": jwt_for(board.owner), "project": "x"}))[
        "code"
    ] == "not_found"


async def test_a_card_dropped_between_two_cards_lands_between_them_on_every_screen(
    tabs: Tabs, live_server: LiveServer
) -> None:
    board, ada_jwt, _, bob_jwt = await _team(live_server)
    a, b, c = await _cards(board, 3)
    col = str(board.columns[0].id)
    ada, bob = tabs(), tabs()
    await ada.connect(ada_jwt, str(board.project.id))
    await bob.connect(bob_jwt, str(board.project.id))
    moved = await ada.ok(
        "move_card",
        {"card_id": c, "column_id": col, "after_id": a, "before_id": b, "version": 1},
    )
    assert (moved["afterId"], moved["beforeId"], moved["version"]) == (a, b, 2)
    for tab in (ada, bob):
        await tab.wait(lambda t=tab: t.column(col) == [a, c, b], "the drop on screen")
    assert await _server_order(live_server, board, ada_jwt, col) == [a, c, b]
    event = await bob.event("card_moved")
    assert event["data"] == moved
    assert event["actor"]["name"] == "Ada"


async def test_a_drop_at_the_top_of_a_long_column_lands_at_the_top(
    tabs: Tabs, live_server: LiveServer
) -> None:
    board, ada_jwt, _, bob_jwt = await _team(live_server)
    ids = await _cards(board, 200)
    col = str(board.columns[0].id)
    ada, bob = tabs(), tabs()
    await ada.connect(ada_jwt, str(board.project.id))
    await bob.connect(bob_jwt, str(board.project.id))
    last = ids[-1]
    moved = await bob.ok("move_card", {"card_id": last, "column_id": col, "before_id": ids[0]})
    assert (moved["afterId"], moved["beforeId"]) == (None, ids[0])
    expected = [last, *ids[:-1]]
    for tab in (ada, bob):
        await tab.wait(lambda t=tab: t.column(col) == expected, "the top drop on screen")
    assert await _server_order(live_server, board, ada_jwt, col) == expected


async def test_a_stale_version_gets_a_conflict_with_the_current_card(
    tabs: Tabs, live_server: LiveServer
) -> None:
    board, ada_jwt, _, bob_jwt = await _team(live_server)
    (card,) = await _cards(board, 1)
    ada, bob = tabs(), tabs()
    await ada.connect(ada_jwt, str(board.project.id))
    await bob.connect(bob_jwt, str(board.project.id))
    await ada.ok("update_card", {"card_id": card, "version": 1, "title": "Ada's title"})
    ack = await bob.call("update_card", {"card_id": card, "version": 1, "title": "Bob's title"})
    assert ack["ok"] is False
    assert ack["error"]["code"] == "conflict"
    assert ack["error"]["current"]["title"] == "Ada's title"
    assert ack["error"]["current"]["version"] == 2
    moved = await bob.call(
        "move_card", {"card_id": card, "column_id": str(board.columns[1].id), "version": 1}
    )
    assert moved["error"]["code"] == "conflict"


async def test_two_drops_of_one_card_at_once_land_one_and_refuse_the_other(
    tabs: Tabs, live_server: LiveServer
) -> None:
    board, ada_jwt, _, bob_jwt = await _team(live_server)
    (card,) = await _cards(board, 1)
    ada, bob = tabs(), tabs()
    await ada.connect(ada_jwt, str(board.project.id))
    await bob.connect(bob_jwt, str(board.project.id))
    doing, done = str(board.columns[1].id), str(board.columns[2].id)
    acks = await asyncio.gather(
        ada.call("move_card", {"card_id": card, "column_id": doing, "version": 1}),
        bob.call("move_card", {"card_id": card, "column_id": done, "version": 1}),
    )
    (won,) = [a["data"] for a in acks if a["ok"]]
    (lost,) = [a["error"] for a in acks if not a["ok"]]
    assert lost["code"] == "conflict"
    assert (lost["current"]["columnId"], lost["current"]["version"]) == (won["columnId"], 2)
    for tab in (ada, bob):
        await tab.wait(lambda t=tab: t.column(won["columnId"]) == [card], "the one drop")
        assert [e["data"] for e in tab.events if e["type"] == "card_moved"] == [won]


async def test_two_people_editing_one_description_never_overwrite_silently(
    tabs: Tabs, live_server: LiveServer
) -> None:
    import asyncio

    board, ada_jwt, _, bob_jwt = await _team(live_server)
    (card,) = await _cards(board, 1)
    ada, bob = tabs(), tabs()
    await ada.connect(ada_jwt, str(board.project.id))
    await bob.connect(bob_jwt, str(board.project.id))
    acks = await asyncio.gather(
        ada.call("update_card", {"card_id": card, "version": 1, "description": "Ada wrote"}),
        bob.call("update_card", {"card_id": card, "version": 1, "description": "Bob wrote"}),
    )
    winners = [a for a in acks if a["ok"]]
    losers = [a for a in acks if not a["ok"]]
    assert len(winners) == 1
    assert len(losers) == 1
    assert losers[0]["error"]["code"] == "conflict"
    kept = winners[0]["data"]["description"]
    assert losers[0]["error"]["current"]["description"] == kept
    for tab in (ada, bob):
        await tab.wait(lambda t=tab: t.cards[card]["description"] == kept, "the winner's text")


async def test_focus_shows_who_is_looking_at_or_editing_which_card(
    tabs: Tabs, live_server: LiveServer
) -> None:
    board, ada_jwt, bob, bob_jwt = await _team(live_server)
    (card,) = await _cards(board, 1)
    ada, bob_tab = tabs(), tabs()
    await ada.connect(ada_jwt, str(board.project.id))
    await bob_tab.connect(bob_jwt, str(board.project.id))
    ack = await bob_tab.ok("focus_card", {"card_id": card, "mode": "editing"})
    assert ack == {"focus": {"cardId": card, "mode": "editing"}}

    def bob_editing(members: list[dict[str, Any]]) -> bool:
        return any(
            m["userId"] == str(bob.id) and m["focus"] == {"cardId": card, "mode": "editing"}
            for m in members
        )

    await ada.members_where(bob_editing)
    await bob_tab.ok("focus_card", {"card_id": None})
    await ada.members_where(
        lambda ms: any(m["userId"] == str(bob.id) and m["focus"] is None for m in ms)
    )
    missing = await bob_tab.call("focus_card", {"card_id": "00000000-0000-0000-0000-000000000000"})
    assert missing["error"]["code"] == "not_found"
    await bob_tab.close()
    await ada.members_where(lambda ms: [m["name"] for m in ms] == ["Ada"])


async def test_a_change_over_rest_appears_live(tabs: Tabs, live_server: LiveServer) -> None:
    board, ada_jwt, _, bob_jwt = await _team(live_server)
    bob = tabs()
    await bob.connect(bob_jwt, str(board.project.id))
    base = board.base.removeprefix("/api")
    created = await rest(
        live_server,
        "POST",
        f"{base}/columns/{board.columns[0].id}/cards",
        token=ada_jwt,
        json={"title": "From the API"},
    )
    await bob.wait(lambda: created["id"] in bob.cards, "the new card on screen")
    await rest(
        live_server,
        "PATCH",
        f"{base}/cards/{created['id']}",
        token=ada_jwt,
        json={"archived": True},
    )
    await bob.wait(lambda: created["id"] not in bob.cards, "the archived card gone")
    assert (await bob.event("card_archived"))["data"]["card"]["archived"] is True


async def test_commands_for_columns_and_comments(tabs: Tabs, live_server: LiveServer) -> None:
    board, ada_jwt, _, bob_jwt = await _team(live_server)
    (card,) = await _cards(board, 1)
    ada, bob = tabs(), tabs()
    await ada.connect(ada_jwt, str(board.project.id))
    await bob.connect(bob_jwt, str(board.project.id))
    column = await ada.ok("create_column", {"name": "Review", "wip_limit": 1})
    assert (await bob.event("column_created"))["data"]["column"]["name"] == "Review"
    forbidden = await bob.call("create_column", {"name": "Mine"})
    assert forbidden["error"]["code"] == "forbidden"
    await ada.ok("move_card", {"card_id": card, "column_id": column["id"]})
    second = await bob.ok("create_card", {"column_id": str(board.columns[0].id), "title": "Two"})
    full = await bob.call("move_card", {"card_id": second["id"], "column_id": column["id"]})
    assert full["error"]["code"] == "conflict"
    assert "WIP limit" in full["error"]["message"]
    renamed = await ada.ok("update_column", {"column_id": column["id"], "order": 0})
    assert renamed["order"] == 0
    # A column goes into a board scope and back out.
    base = board.base.removeprefix("/api")
    scope = await rest(live_server, "POST", f"{base}/scopes", token=ada_jwt, json={"name": "Web"})
    scoped = await ada.ok("create_column", {"name": "Web QA", "scope_id": scope["id"]})
    assert scoped["scopeId"] == scope["id"]
    seen = await bob.wait(
        lambda: [
            e["data"]["column"]["scopeId"]
            for e in bob.events
            if e["type"] == "column_created" and e["data"]["column"]["name"] == "Web QA"
        ],
        "the scoped column",
    )
    assert seen == [scope["id"]]
    unscoped = await ada.ok("update_column", {"column_id": scoped["id"], "scope_id": None})
    assert unscoped["scopeId"] is None
    foreign = await ada.call("create_column", {"name": "X", "scope_id": str(card)})
    assert foreign["error"]["code"] == "not_found"
    comment = await bob.ok("add_comment", {"card_id": card, "content": "Looks good"})
    assert comment["content"] == "Looks good"
    assert (await ada.event("comment_added"))["data"]["cardId"] == card
    await bob.ok("delete_card", {"card_id": second["id"]})
    await ada.wait(lambda: second["id"] not in ada.cards, "the deleted card gone")
    bad = await bob.call("create_card", {"column_id": str(board.columns[0].id), "title": ""})
    assert bad["error"]["code"] == "invalid"
    unknown = await bob.call("explode", {})
    assert unknown["error"]["code"] == "invalid"


async def test_removing_a_member_drops_their_socket(tabs: Tabs, live_server: LiveServer) -> None:
    board, ada_jwt, bob, bob_jwt = await _team(live_server)
    ada, bob_tab = tabs(), tabs()
    await ada.connect(ada_jwt, str(board.project.id))
    await bob_tab.connect(bob_jwt, str(board.project.id))
    base = board.base.removeprefix("/api")
    await rest(live_server, "DELETE", f"{base}/members/{bob.id}", token=ada_jwt)
    await bob_tab.wait_disconnected()
    await ada.members_where(lambda ms: [m["name"] for m in ms] == ["Ada"])
    assert not ada.disconnected
    again = await tabs().refused({"token": bob_jwt, "project": str(board.project.id)})
    assert again["code"] == "not_found"


@pytest.mark.parametrize("level", ["workspace", "organization"])
async def test_removing_someone_from_the_workspace_or_organization_drops_their_sockets(
    tabs: Tabs, live_server: LiveServer, level: str
) -> None:
    board, ada_jwt, bob, bob_jwt = await _team(live_server)
    second = await Project.create(workspace=board.workspace, name="Second", created_by=board.owner)
    await ProjectMember.create(project=second, user=board.owner, role="admin")
    await ProjectMember.create(project=second, user=bob, role="member")
    ada, bob_here, bob_there = tabs(), tabs(), tabs()
    await ada.connect(ada_jwt, str(board.project.id))
    await bob_here.connect(bob_jwt, str(board.project.id))
    await bob_there.connect(bob_jwt, str(second.id))
    path = (
        f"/orgs/{board.org.slug}/workspaces/{board.workspace.slug}/members/{bob.id}"
        if level == "workspace"
        else f"/organizations/{board.org.slug}/members/{bob.id}"
    )
    await rest(live_server, "DELETE", path, token=ada_jwt)
    await bob_here.wait_disconnected()
    await bob_there.wait_disconnected()
    removed = await ada.event("member_removed")
    assert removed["data"] == {"userId": str(bob.id)}
    await ada.members_where(lambda ms: [m["name"] for m in ms] == ["Ada"])
    assert not ada.disconnected
    again = await tabs().refused({"token": bob_jwt, "project": str(board.project.id)})
    assert again["code"] == "not_found"


async def test_a_revoked_token_stops_working_on_its_socket(
    tabs: Tabs, live_server: LiveServer
) -> None:
    board, ada_jwt, _, _ = await _team(live_server)
    token_id, pat = await personal_token(live_server, ada_jwt, ["projects:read", "projects:write"])
    bot, browser = tabs(), tabs()
    await bot.connect(pat, str(board.project.id))
    await browser.connect(ada_jwt, str(board.project.id))
    await bot.ok("create_card", {"column_id": str(board.columns[0].id), "title": "by bot"})
    await rest(live_server, "DELETE", f"/api-tokens/{token_id}", token=ada_jwt)
    revoked = await bot.wait(lambda: bot.revoked, "revoked notice")
    assert revoked["code"] == "unauthorized"
    await bot.wait_disconnected()
    assert not browser.disconnected
    refused = await tabs().refused({"token": pat, "project": str(board.project.id)})
    assert refused["code"] == "unauthorized"


async def test_a_token_without_projects_read_cannot_open_the_board(
    tabs: Tabs, live_server: LiveServer
) -> None:
    board, ada_jwt, _, _ = await _team(live_server)
    _, pat = await personal_token(live_server, ada_jwt, ["projects:write", "poker:read"])
    refusal = await tabs().refused({"token": pat, "project": str(board.project.id)})
    assert refusal["code"] == "forbidden"
    assert "projects:read" in refusal["message"]


async def test_a_read_only_token_watches_but_cannot_change(
    tabs: Tabs, live_server: LiveServer
) -> None:
    board, ada_jwt, _, _ = await _team(live_server)
    _, pat = await personal_token(live_server, ada_jwt, ["projects:read"])
    watcher = tabs()
    await watcher.connect(pat, str(board.project.id))
    ack = await watcher.call("create_card", {"column_id": str(board.columns[0].id), "title": "x"})
    assert ack["error"]["code"] == "forbidden"
