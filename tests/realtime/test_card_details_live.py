"""Card details reach open boards live, and notifications reach their user's sockets."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.card_details import make_card
from tests.factories import add_member, create_board, create_user, jwt_for
from tests.realtime.board_clients import NAMESPACE, BoardTab
from tests.realtime.clients import TIMEOUT, LiveServer, rest


async def test_a_rest_comment_shows_live_and_notifies_the_card_creator(
    live_server: LiveServer,
) -> None:
    ada = await create_user(name="Ada")
    board = await create_board(ada)
    bob = await create_user(name="Bob")
    await add_member(board, bob)
    card = await make_card(board)
    ada_tab, bob_tab = BoardTab(live_server), BoardTab(live_server)
    notes: dict[str, list[dict[str, Any]]] = {"ada": [], "bob": []}
    arrived = {"ada": asyncio.Event(), "bob": asyncio.Event()}
    for who, tab in (("ada", ada_tab), ("bob", bob_tab)):

        async def got(data: Any, _who: str = who) -> None:
            notes[_who].append(data)
            arrived[_who].set()

        tab.sio.on("notification", got, namespace=NAMESPACE)
    try:
        await ada_tab.connect(jwt_for(ada), str(board.project.id))
        await bob_tab.connect(jwt_for(bob), str(board.project.id))
        path = board.base.removeprefix("/api") + f"/cards/{card.id}/comments"
        comment = await rest(
            live_server, "POST", path, token=jwt_for(bob), json={"content": "Ready for review"}
        )
        for tab in (ada_tab, bob_tab):
            event = await tab.event("comment_added")
            assert event["data"] == {"comment": comment, "cardId": str(card.id)}
            assert event["actor"]["name"] == "Bob"
        await asyncio.wait_for(arrived["ada"].wait(), TIMEOUT)
        [note] = notes["ada"]
        assert note["userId"] == str(ada.id)
        assert note["activity"]["type"] == "comment_added"
        assert note["activity"]["cardId"] == str(card.id)
        await asyncio.sleep(0.2)
        assert notes["bob"] == []
        label = await rest(
            live_server,
            "POST",
            board.base.removeprefix("/api") + "/labels",
            token=jwt_for(ada),
            json={"name": "Bug", "color": "#FF0000"},
        )
        event = await bob_tab.event("label_created")
        assert event["data"] == {"label": label}
    finally:
        await ada_tab.close()
        await bob_tab.close()
