"""A rule's changes reach open boards live, as the rule: a card moved over the socket
sets a rule off in the server's own job runner, and every open board hears its changes
in order, with the rule as their actor, and its notification."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.factories import add_member, create_board, create_user, jwt_for
from tests.realtime.board_clients import NAMESPACE, BoardTab
from tests.realtime.clients import TIMEOUT, LiveServer, rest


async def test_a_rule_set_off_by_a_socket_move_is_heard_live_on_every_board(
    live_server: LiveServer,
) -> None:
    ada = await create_user(name="Ada")
    board = await create_board(ada)
    bob = await create_user(name="Bob")
    await add_member(board, bob)
    base = board.base.removeprefix("/api")
    todo, done = str(board.columns[0].id), str(board.columns[2].id)
    label = await rest(
        live_server,
        "POST",
        f"{base}/labels",
        token=jwt_for(ada),
        json={"name": "shipped", "color": "#15803d"},
    )
    rule = await rest(
        live_server,
        "POST",
        f"{base}/automations",
        token=jwt_for(ada),
        json={
            "name": "Ship done cards",
            "trigger": {"type": "task_moved", "toColumnId": done},
            "actions": [
                {"type": "add_label", "labelId": label["id"]},
                {"type": "notify", "to": ["creator"], "message": "Shipped"},
            ],
        },
    )
    card = await rest(
        live_server,
        "POST",
        f"{base}/columns/{todo}/cards",
        token=jwt_for(ada),
        json={"title": "Release notes"},
    )
    ada_tab, bob_tab = BoardTab(live_server), BoardTab(live_server)
    notices: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def got(data: Any) -> None:
        if data["activity"]["type"] == "automation_notice":
            await notices.put(data)

    ada_tab.sio.on("notification", got, namespace=NAMESPACE)
    try:
        await ada_tab.connect(jwt_for(ada), str(board.project.id))
        await bob_tab.connect(jwt_for(bob), str(board.project.id))
        await bob_tab.ok(
            "move_card", {"card_id": card["id"], "column_id": done, "version": card["version"]}
        )
        actor = {"id": rule["id"], "name": "Rule: Ship done cards", "kind": "automation"}
        for tab in (ada_tab, bob_tab):
            event = await tab.event("card_labels_changed")
            assert event["actor"] == actor
            assert event["data"]["cardId"] == card["id"]
            assert [lb["name"] for lb in event["data"]["labels"]] == ["shipped"]
        notice = await asyncio.wait_for(notices.get(), TIMEOUT)
        assert notice["userId"] == str(ada.id)
        assert notice["activity"]["meta"]["message"] == "Shipped"
        assert notice["activity"]["meta"]["rule"] == "Ship done cards"
    finally:
        await ada_tab.close()
        await bob_tab.close()
