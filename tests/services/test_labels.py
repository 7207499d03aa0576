"""Label rules: colors, project boundaries, and deletion taking labels off cards."""

from __future__ import annotations

import pytest

from models import CardLabel
from services.boards import labels
from services.boards.locate import ProjectRef
from services.errors import NotFound, ValidationFailed
from tests.card_details import make_card
from tests.factories import create_board, user_actor


async def test_labels_on_cards_and_deletion(db: str) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    card = await make_card(board)
    label = await labels.create_label(actor=actor, ref=ref, name="Bug", color="#ff0000")
    result = await labels.set_card_label(
        actor=actor, ref=ref, card_id=card.id, label_id=label["id"], applied=True
    )
    assert result["labels"] == [{"id": label["id"], "name": "Bug", "color": "#ff0000"}]
    await labels.delete_label(actor=actor, ref=ref, label_id=label["id"])
    assert await CardLabel.all().count() == 0


async def test_bad_colors_and_foreign_ids(db: str) -> None:
    board, other = await create_board(), await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    for color in ("red", "#fff", "#GGGGGG", "ff0000"):
        with pytest.raises(ValidationFailed):
            await labels.create_label(actor=actor, ref=ref, name="x", color=color)
    theirs = await labels.create_label(
        actor=user_actor(other.owner), ref=ProjectRef(other.project.id), name="t", color="#000000"
    )
    card = await make_card(board)
    with pytest.raises(NotFound):
        await labels.set_card_label(
            actor=actor, ref=ref, card_id=card.id, label_id=theirs["id"], applied=True
        )
