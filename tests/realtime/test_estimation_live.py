"""Poker on a card, live: the reveal in the poker room updates the card on every open
board at once."""

from __future__ import annotations

from services.boards import cards
from services.boards.locate import ProjectRef
from tests.factories import create_board, create_user, jwt_for, user_actor
from tests.realtime.board_clients import BoardTab
from tests.realtime.clients import LiveServer, rest


async def test_a_revealed_estimate_appears_on_the_board(live_server: LiveServer) -> None:
    ada = await create_user(name="Ada")
    board = await create_board(ada)
    token = jwt_for(ada)
    card = await cards.create_card(
        actor=user_actor(ada),
        ref=ProjectRef(board.project.id),
        column_id=board.columns[0].id,
        fields={"title": "Design API"},
    )
    tab = BoardTab(live_server)
    try:
        await tab.connect(token, str(board.project.id))
        base = board.base.removeprefix("/api")
        started = await rest(
            live_server, "POST", f"{base}/cards/{card['id']}/estimate", token=token, json={}
        )
        code = started["sessionCode"]
        people = await rest(live_server, "GET", f"/sessions/{code}/participants", token=token)
        me = people["participants"][0]["id"]
        await rest(
            live_server,
            "POST",
            f"/sessions/{code}/vote",
            token=token,
            json={"participant_id": me, "vote": "13"},
        )
        await rest(live_server, "POST", f"/stories/{started['storyId']}/reveal", token=token)
        shown = await tab.wait(
            lambda: tab.cards[card["id"]]["estimate"] == "13" and tab.cards[card["id"]],
            "the estimate on the card",
        )
        assert shown["version"] == card["version"] + 1
    finally:
        await tab.close()
