"""Applying a pilotage action through other services in one transaction: the enclosing
unit of work holds the nested units' facts until it commits, drops them when it rolls
back, and the board's move goes with it, or not at all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from models import Card, ProposedAction, RoomEvent
from services import events
from services.boards import moves
from services.boards.locate import ProjectRef
from services.errors import Conflict
from services.events import Event, Fact, enclosing_unit_of_work, unit_of_work
from services.pilotage import actions
from tests.card_details import make_card
from tests.factories import create_board, user_actor


@pytest.fixture
def heard() -> Iterator[list[Fact]]:
    facts: list[Fact] = []

    async def listener(batch: list[Fact]) -> None:
        facts.extend(batch)

    events.subscribe(listener)
    try:
        yield facts
    finally:
        events.unsubscribe(listener)


async def test_nested_units_are_heard_once_the_enclosing_one_commits(
    db: str, heard: list[Fact]
) -> None:
    async with enclosing_unit_of_work() as outer:
        async with unit_of_work() as inner:
            await inner.emit("workspace:inner", "first", {}, None)
        assert heard == [], "a nested unit is not committed before the enclosing one"
        await outer.emit("workspace:outer", "second", {}, None)
    assert [f.type for f in heard if isinstance(f, Event)] == ["first", "second"]


async def test_nothing_of_a_rolled_back_enclosing_unit_is_heard_or_kept(
    db: str, heard: list[Fact]
) -> None:
    board = await create_board()
    card = await make_card(board)
    actor = user_actor(board.owner)
    with pytest.raises(Conflict):
        async with enclosing_unit_of_work():
            await moves.move_card(
                actor=actor,
                ref=ProjectRef(board.project.id),
                card_id=card.id,
                column_id=board.columns[2].id,
            )
            raise Conflict("changed my mind")
    assert heard == []
    assert (await Card.get(id=card.id)).column_id == board.columns[0].id
    assert not await RoomEvent.filter(type="card_moved").exists()
    # The bus works as before once the enclosing unit is gone.
    async with unit_of_work() as uow:
        await uow.emit("workspace:after", "later", {}, None)
    assert [f.type for f in heard if isinstance(f, Event)] == ["later"]


async def test_apply_hears_the_board_first_then_the_action(db: str, heard: list[Fact]) -> None:
    board = await create_board()
    card = await make_card(board)
    actor = user_actor(board.owner)
    where = {"org_slug": board.org.slug, "ws_slug": board.workspace.slug}
    made = await actions.propose_action(
        actor=actor,
        **where,
        action_type_name="move_card",
        explanation="Done",
        payload={"cardId": str(card.id), "targetColumn": "Done"},
    )
    await actions.review_action(actor=actor, **where, action_id=made["id"], approved=True)
    heard.clear()
    applied = await actions.apply_action(actor=actor, **where, action_id=made["id"])
    assert applied["status"] == "applied"
    kinds = [(f.room.split(":")[0], f.type) for f in heard if isinstance(f, Event)]
    assert kinds == [("board", "card_moved"), ("workspace", "action_applied")]
    assert (await ProposedAction.get(id=made["id"])).result == applied["result"]
