"""Card order: keys between neighbours, byte-wise sorting on both databases, renumbering."""

from __future__ import annotations

import uuid

import pytest

from models import Card
from services.boards import cards
from services.boards.locate import ProjectRef
from services.boards.ordering import (
    MAX_KEY_LENGTH,
    Slot,
    column_slots,
    insert_index,
    ordered,
)
from services.errors import Conflict
from tests.factories import create_board, user_actor


def _slots(*keys: str) -> list[Slot]:
    return [Slot(id=uuid.uuid4(), position=k) for k in keys]


def test_a_drop_names_the_card_above_the_card_below_or_both() -> None:
    slots = _slots("a0", "a1", "a2")
    a, b, c = (s.id for s in slots)
    assert insert_index(slots, after_id=a, before_id=None, edge="top") == 1
    assert insert_index(slots, after_id=None, before_id=c, edge="top") == 2
    assert insert_index(slots, after_id=a, before_id=b, edge="top") == 1
    assert insert_index(slots, after_id=None, before_id=None, edge="top") == 0
    assert insert_index(slots, after_id=None, before_id=None, edge="bottom") == 3


def test_a_drop_between_cards_that_are_no_longer_neighbours_is_a_conflict() -> None:
    slots = _slots("a0", "a1", "a2")
    with pytest.raises(Conflict, match="no longer neighbours"):
        insert_index(slots, after_id=slots[0].id, before_id=slots[2].id, edge="top")
    with pytest.raises(Conflict, match="no longer in that column"):
        insert_index(slots, after_id=uuid.uuid4(), before_id=None, edge="top")


def test_keys_sort_byte_wise_whatever_the_case() -> None:
    # A case-folding collation would put "ab" before "aB" and "a0" before "Zz".
    slots = _slots("ab", "aB", "a0", "Zz")
    assert [s.position for s in ordered(slots)] == ["Zz", "a0", "aB", "ab"]


async def test_the_database_collation_never_decides_the_order(db: str) -> None:
    board = await create_board()
    column = board.columns[0]
    for key in ("ab", "aB", "a0", "Zz", "a0V"):
        await Card.create(project=board.project, column=column, title=key, position=key)
    listed = await cards.list_cards(
        actor=user_actor(board.owner), ref=ProjectRef(board.project.id), column_id=column.id
    )
    assert [c["position"] for c in listed] == ["Zz", "a0", "a0V", "aB", "ab"]
    assert [c["order"] for c in listed] == [0, 1, 2, 3, 4]
    assert [s.position for s in await column_slots(column.id)] == ["Zz", "a0", "a0V", "aB", "ab"]


async def test_two_hundred_drops_at_the_top_keep_short_keys_and_land_on_top(db: str) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    column = board.columns[0]
    ids = []
    for i in range(200):
        card = await cards.create_card(
            actor=actor, ref=ref, column_id=column.id, fields={"title": f"Card {i}"}
        )
        await cards.move_card(actor=actor, ref=ref, card_id=card["id"], column_id=column.id)
        ids.append(card["id"])
    listed = await cards.list_cards(actor=actor, ref=ref, column_id=column.id)
    assert [c["id"] for c in listed] == list(reversed(ids))
    assert max(len(c["position"]) for c in listed) <= MAX_KEY_LENGTH


async def test_drops_into_the_same_gap_renumber_the_column_when_keys_grow_long(db: str) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    column = board.columns[0]
    first = await cards.create_card(
        actor=actor, ref=ref, column_id=column.id, fields={"title": "A"}
    )
    last = await cards.create_card(actor=actor, ref=ref, column_id=column.id, fields={"title": "Z"})
    # Always dropping right above the last card halves the same gap every time.
    expected = [first["id"]]
    for i in range(300):
        card = await cards.create_card(
            actor=actor, ref=ref, column_id=column.id, fields={"title": f"{i}"}
        )
        await cards.move_card(
            actor=actor, ref=ref, card_id=card["id"], column_id=column.id, before_id=last["id"]
        )
        expected.append(card["id"])
    expected.append(last["id"])
    listed = await cards.list_cards(actor=actor, ref=ref, column_id=column.id)
    assert [c["id"] for c in listed] == expected
    assert max(len(c["position"]) for c in listed) <= MAX_KEY_LENGTH
    assert len({c["position"] for c in listed}) == len(listed)
