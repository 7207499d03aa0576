"""Column rules without a transport: order, WIP limits, deletion, events, admins only."""

from __future__ import annotations

import pytest

from models import RoomEvent
from services.boards import cards, columns
from services.boards.access import board_room
from services.boards.locate import ProjectRef
from services.errors import Conflict, Forbidden
from tests.factories import add_member, create_board, create_user, user_actor


async def test_columns_keep_a_dense_order_through_moves_and_deletes(db: str) -> None:
    board = await create_board(columns=("A", "B", "C", "D"))
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    a, _, c, _ = (str(col.id) for col in board.columns)
    await columns.update_column(actor=actor, ref=ref, column_id=a, changes={"order": 99})
    names = [col["name"] for col in await columns.list_columns(actor=actor, ref=ref)]
    assert names == ["B", "C", "D", "A"]
    await columns.delete_column(actor=actor, ref=ref, column_id=c)
    listed = await columns.list_columns(actor=actor, ref=ref)
    assert [(col["name"], col["order"]) for col in listed] == [("B", 0), ("D", 1), ("A", 2)]
    rows = await RoomEvent.filter(room=board_room(board.project.id)).order_by("seq")
    assert [r.type for r in rows] == ["column_updated", "column_deleted"]
    assert [col["name"] for col in rows[0].data["columns"]] == ["B", "C", "D", "A"]
    assert rows[1].data["column"]["id"] == c


async def test_a_column_with_archived_cards_is_not_deleted(db: str) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    col = board.columns[0].id
    card = await cards.create_card(actor=actor, ref=ref, column_id=col, fields={"title": "t"})
    await cards.update_card(actor=actor, ref=ref, card_id=card["id"], changes={"archived": True})
    with pytest.raises(Conflict, match="archived ones included"):
        await columns.delete_column(actor=actor, ref=ref, column_id=col)


async def test_only_project_admins_shape_the_workflow(db: str) -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    ref = ProjectRef(board.project.id)
    with pytest.raises(Forbidden):
        await columns.create_column(actor=user_actor(member), ref=ref, name="Mine")
    made = await columns.create_column(
        actor=user_actor(board.owner), ref=ref, name="QA", wip_limit=2
    )
    assert (made["order"], made["wipLimit"]) == (3, 2)
    assert len(await columns.list_columns(actor=user_actor(member), ref=ref)) == 4
