"""Scope rules: views, admin-only changes, and deletion with its columns and cards."""

from __future__ import annotations

import pytest

from models import Card, Column
from services.boards import scopes
from services.boards.locate import ProjectRef
from services.errors import Forbidden, ValidationFailed
from tests.card_details import make_card
from tests.factories import add_member, create_board, create_user, user_actor


async def test_views_and_deletion(db: str) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    scope = await scopes.create_scope(actor=actor, ref=ref, name="Phase 1")
    views = await scopes.switch_view(
        actor=actor, ref=ref, scope_id=scope["id"], active_view="stats"
    )
    assert views["activeView"] == "stats" and views["views"] == list(scopes.VIEWS)
    with pytest.raises(ValidationFailed):
        await scopes.switch_view(actor=actor, ref=ref, scope_id=scope["id"], active_view="gantt")
    column = await Column.create(project_id=board.project.id, scope_id=scope["id"], name="Q")
    card = await make_card(board, column=column)
    await scopes.delete_scope(actor=actor, ref=ref, scope_id=scope["id"])
    assert not await Column.filter(id=column.id).exists()
    assert not await Card.filter(id=card.id).exists()


async def test_members_switch_views_but_do_not_delete(db: str) -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    ref = ProjectRef(board.project.id)
    scope = await scopes.create_scope(actor=user_actor(board.owner), ref=ref, name="S")
    await scopes.switch_view(
        actor=user_actor(member), ref=ref, scope_id=scope["id"], active_view="list"
    )
    with pytest.raises(Forbidden):
        await scopes.delete_scope(actor=user_actor(member), ref=ref, scope_id=scope["id"])
    with pytest.raises(ValidationFailed):
        await scopes.create_scope(
            actor=user_actor(board.owner), ref=ref, name="Big", settings={"x": "y" * 20000}
        )
