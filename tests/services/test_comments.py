"""Comment rules without a transport: the socket path, validation, deletion rights."""

from __future__ import annotations

import pytest

from models import Notification
from services.boards import comments
from services.boards.locate import ProjectRef
from services.errors import Forbidden, NotFound, ValidationFailed
from tests.card_details import captured, make_card, of_type
from tests.factories import add_member, create_board, create_user, user_actor


async def test_socket_path_names_only_the_project(db: str) -> None:
    board = await create_board()
    bob = await create_user()
    await add_member(board, bob)
    card = await make_card(board)
    with captured() as seen:
        comment = await comments.add_comment(
            actor=user_actor(bob), project_id=board.project.id, card_id=card.id, content="hi"
        )
    assert of_type(seen, "comment_added") == [{"comment": comment, "cardId": str(card.id)}]
    assert [n.user_id for n in await Notification.all()] == [board.owner.id]


async def test_content_and_strangers(db: str) -> None:
    board, other = await create_board(), await create_board()
    card = await make_card(board)
    actor = user_actor(board.owner)
    for bad in ("", "   ", "x" * 2001, None, 7):
        with pytest.raises(ValidationFailed):
            await comments.add_comment(
                actor=actor, project_id=board.project.id, card_id=card.id, content=bad
            )
    with pytest.raises(NotFound):
        await comments.add_comment(
            actor=user_actor(other.owner), project_id=board.project.id, card_id=card.id, content="x"
        )


async def test_delete_rights(db: str) -> None:
    board = await create_board()
    alice, bob = await create_user(), await create_user()
    await add_member(board, alice)
    await add_member(board, bob)
    card = await make_card(board)
    ref = ProjectRef(board.project.id)
    c = await comments.add_comment(
        actor=user_actor(alice), project_id=board.project.id, card_id=card.id, content="mine"
    )
    with pytest.raises(Forbidden):
        await comments.delete_comment(
            actor=user_actor(bob), ref=ref, card_id=card.id, comment_id=c["id"]
        )
    await comments.delete_comment(
        actor=user_actor(board.owner), ref=ref, card_id=card.id, comment_id=c["id"]
    )
    assert await comments.list_comments(actor=user_actor(bob), ref=ref, card_id=card.id) == []
