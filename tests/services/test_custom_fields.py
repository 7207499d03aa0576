"""Custom field rules: each type's values, retyping, and all-or-nothing updates."""

from __future__ import annotations

import pytest

from models import CustomFieldValue
from services.boards import custom_fields
from services.boards.locate import ProjectRef
from services.errors import Forbidden, ValidationFailed
from tests.card_details import make_card
from tests.factories import add_member, create_board, create_user, user_actor


async def test_one_bad_value_writes_nothing(db: str) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    card = await make_card(board)
    text = await custom_fields.create_field(actor=actor, ref=ref, name="Note", type="text")
    num = await custom_fields.create_field(actor=actor, ref=ref, name="Points", type="number")
    with pytest.raises(ValidationFailed, match="Points"):
        await custom_fields.set_card_values(
            actor=actor, ref=ref, card_id=card.id, values={text["id"]: "ok", num["id"]: "3"}
        )
    assert await CustomFieldValue.all().count() == 0


async def test_retyping_clears_values_that_no_longer_fit(db: str) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    card = await make_card(board)
    f = await custom_fields.create_field(actor=actor, ref=ref, name="Size", type="text")
    await custom_fields.set_card_values(
        actor=actor, ref=ref, card_id=card.id, values={f["id"]: "M"}
    )
    changed = await custom_fields.update_field(
        actor=actor, ref=ref, field_id=f["id"], type="select", options=["M", "L"]
    )
    assert changed["type"] == "select"
    assert (await custom_fields.card_values(actor=actor, ref=ref, card_id=card.id))["values"] == {
        f["id"]: "M"
    }
    await custom_fields.update_field(actor=actor, ref=ref, field_id=f["id"], type="number")
    assert (await custom_fields.card_values(actor=actor, ref=ref, card_id=card.id))["values"] == {}


async def test_definitions_are_for_admins(db: str) -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    with pytest.raises(Forbidden):
        await custom_fields.create_field(
            actor=user_actor(member), ref=ProjectRef(board.project.id), name="X", type="text"
        )
