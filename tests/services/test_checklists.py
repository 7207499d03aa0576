"""Checklist rules: progress rounding and dense ordering."""

from __future__ import annotations

from services.boards import checklists
from services.boards.locate import ProjectRef
from tests.card_details import make_card
from tests.factories import create_board, user_actor


async def test_progress_and_order(db: str) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    card = await make_card(board)
    items = [
        (await checklists.add_item(actor=actor, ref=ref, card_id=card.id, title=t))["item"]
        for t in ("a", "b", "c")
    ]
    changed = await checklists.update_item(
        actor=actor, ref=ref, card_id=card.id, item_id=items[1]["id"], done=True, order=99
    )
    assert changed["progress"] == 33
    assert changed["item"]["order"] == 2
    listed = await checklists.list_items(actor=actor, ref=ref, card_id=card.id)
    assert [i["title"] for i in listed["items"]] == ["a", "c", "b"]
    await checklists.update_item(
        actor=actor, ref=ref, card_id=card.id, item_id=items[0]["id"], done=True
    )
    done = await checklists.delete_item(
        actor=actor, ref=ref, card_id=card.id, item_id=items[2]["id"]
    )
    assert done["progress"] == 100
    empty = await make_card(board)
    assert (await checklists.list_items(actor=actor, ref=ref, card_id=empty.id))["progress"] is None
