"""Relation rules: stored direction, cycles through longer chains, duplicates."""

from __future__ import annotations

import itertools

import pytest

from models import CardRelation
from services.boards import relations
from services.boards.locate import ProjectRef
from services.errors import Conflict, NotFound, ValidationFailed
from tests.card_details import make_card
from tests.factories import create_board, user_actor


async def test_blocked_by_is_stored_as_the_reverse_blocks(db: str) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    a, b = await make_card(board), await make_card(board)
    seen = await relations.add_relation(
        actor=actor, ref=ref, card_id=a.id, target_card_id=b.id, type="blocked_by"
    )
    assert seen["type"] == "blocked_by"
    row = await CardRelation.get(id=seen["id"])
    assert (row.source_id, row.target_id, row.kind) == (b.id, a.id, "blocks")


async def test_long_parent_cycles_and_other_rules(db: str) -> None:
    board, other = await create_board(), await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    chain = [await make_card(board, f"C{i}") for i in range(5)]
    for parent, child in itertools.pairwise(chain):
        await relations.add_relation(
            actor=actor, ref=ref, card_id=parent.id, target_card_id=child.id, type="parent_of"
        )
    with pytest.raises(Conflict):
        await relations.add_relation(
            actor=actor, ref=ref, card_id=chain[4].id, target_card_id=chain[0].id, type="parent_of"
        )
    with pytest.raises(ValidationFailed):
        await relations.add_relation(
            actor=actor, ref=ref, card_id=chain[0].id, target_card_id=chain[0].id, type="blocks"
        )
    with pytest.raises(NotFound):
        await relations.add_relation(
            actor=actor,
            ref=ref,
            card_id=chain[0].id,
            target_card_id=(await make_card(other)).id,
            type="blocks",
        )
    dup = await relations.add_relation(
        actor=actor, ref=ref, card_id=chain[0].id, target_card_id=chain[2].id, type="duplicates"
    )
    listed = await relations.list_relations(actor=actor, ref=ref, card_id=chain[2].id)
    assert {r["type"] for r in listed} == {"child_of", "parent_of", "duplicated_by"}
    assert dup["type"] == "duplicates"
