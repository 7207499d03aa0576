"""Two people reordering one column at the same moment end up seeing the same order,
and it is the server's."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable

import pytest

from services.boards import cards
from services.boards.locate import ProjectRef
from tests.factories import add_member, create_board, create_user, jwt_for, user_actor
from tests.realtime.board_clients import BoardTab
from tests.realtime.clients import LiveServer, rest

Tabs = Callable[[], BoardTab]
MOVES_EACH = 25


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


async def test_simultaneous_moves_in_one_column_converge_on_every_screen(
    tabs: Tabs, live_server: LiveServer
) -> None:
    ada = await create_user(name="Ada")
    board = await create_board(ada)
    bob = await create_user(name="Bob")
    await add_member(board, bob)
    col = str(board.columns[0].id)
    actor, ref = user_actor(ada), ProjectRef(board.project.id)
    ids = [
        (await cards.create_card(actor=actor, ref=ref, column_id=col, fields={"title": f"{i}"}))[
            "id"
        ]
        for i in range(12)
    ]
    screens = tabs(), tabs()
    for tab, user in zip(screens, (ada, bob), strict=True):
        await tab.connect(jwt_for(user), str(board.project.id))

    rng = random.Random(7)

    def drop(tab: BoardTab) -> dict[str, object]:
        # Each person drops a card next to a card as their own screen shows it now.
        order = tab.column(col)
        card = rng.choice(order)
        rest_ = [c for c in order if c != card]
        at = rng.randrange(len(rest_) + 1)
        payload: dict[str, object] = {"card_id": card, "column_id": col}
        if at > 0:
            payload["after_id"] = rest_[at - 1]
        if at < len(rest_) and rng.random() < 0.5:
            payload["before_id"] = rest_[at]
        return payload

    calls = [tab.call("move_card", drop(tab)) for _ in range(MOVES_EACH) for tab in screens]
    acks = await asyncio.gather(*calls)
    refused = [a for a in acks if not a["ok"]]
    # A drop next to a card that moved meanwhile is refused, never misplaced.
    assert all(a["error"]["code"] == "conflict" for a in refused)
    assert len(refused) < len(acks)

    # A last change from each side: once both screens hold both, they hold everything before.
    marks = [
        await tab.ok("create_card", {"column_id": col, "title": f"end {i}"})
        for i, tab in enumerate(screens)
    ]
    for tab in screens:
        await tab.wait(lambda t=tab: all(m["id"] in t.cards for m in marks), "every change")
    path = board.base.removeprefix("/api") + f"/cards?columnId={col}"
    server = [c["id"] for c in await rest(live_server, "GET", path, token=jwt_for(ada))]
    assert sorted(server) == sorted([*ids, *(m["id"] for m in marks)])
    for tab in screens:
        assert tab.column(col) == server
