"""Planning poker on a card: the card becomes a story, and the reveal writes the
estimate back onto the card, live on its board."""

from __future__ import annotations

from typing import Any

import pytest
from fractional_indexing import generate_key_between

from models import Card, PokerSession, RoomEvent, Story
from services.boards.access import board_room
from services.boards.estimation import estimate_card
from services.errors import Forbidden, NotFound
from services.poker.rounds import reveal
from services.poker.seats import join_session
from services.poker.voting import cast_vote
from tests.factories import Board, add_member, create_board, create_user, poker_room, user_actor


async def _card(board: Board, title: str = "Design API") -> Card:
    return await Card.create(
        project=board.project,
        column=board.columns[0],
        title=title,
        description="REST routes for billing",
        position=generate_key_between(None, None),
    )


def _where(board: Board, card: Card) -> dict[str, Any]:
    return {
        "org_slug": board.org.slug,
        "ws_slug": board.workspace.slug,
        "project_id": board.project.id,
        "card_id": card.id,
    }


async def test_a_card_opens_a_new_session_with_itself_as_the_story(db: str) -> None:
    board = await create_board()
    card = await _card(board)
    started = await estimate_card(actor=user_actor(board.owner), **_where(board, card))
    code = started["sessionCode"]
    assert started["joinUrl"] == f"/r/{code}"
    session = await PokerSession.get(code=code)
    assert (session.name, session.owner_id) == ("Estimate: Design API", board.owner.id)
    story = await Story.get(id=started["storyId"])
    assert (story.title, story.description) == ("Design API", "REST routes for billing")
    assert session.current_story_id == story.id
    await card.refresh_from_db()
    assert (card.poker_session_id, card.poker_story_id) == (session.id, story.id)


async def test_the_reveal_writes_the_estimate_onto_the_card_live(db: str) -> None:
    board = await create_board()
    card = await _card(board)
    actor = user_actor(board.owner)
    started = await estimate_card(actor=actor, **_where(board, card))
    code = started["sessionCode"]
    voter = await create_user()
    await join_session(actor=user_actor(voter), code=code, name=None)
    await cast_vote(actor=actor, code=code, value="5")
    await cast_vote(actor=user_actor(voter), code=code, value="5")
    await reveal(actor=actor, code=code)
    await card.refresh_from_db()
    assert (card.estimate, card.version) == ("5", 2)
    events = await RoomEvent.filter(room=board_room(board.project.id)).order_by("seq")
    assert [e.type for e in events] == ["card_updated"]
    shown = events[-1].data["card"]
    assert (shown["id"], shown["estimate"], shown["version"]) == (str(card.id), "5", 2)


async def test_a_card_joins_a_session_you_moderate_as_its_current_story(db: str) -> None:
    board = await create_board()
    first, second = await _card(board, "First"), await _card(board, "Second")
    _, actor, session = await poker_room(board.owner, name="Sprint 42")
    code = session["code"]
    one = await estimate_card(actor=actor, session_code=code.lower(), **_where(board, first))
    two = await estimate_card(actor=actor, session_code=code, **_where(board, second))
    assert one["sessionCode"] == two["sessionCode"] == code
    poker = await PokerSession.get(code=code)
    assert str(poker.current_story_id) == two["storyId"]
    assert await Story.filter(session_id=poker.id).count() == 2


async def test_only_moderators_add_to_a_session_and_only_members_estimate(db: str) -> None:
    board = await create_board()
    card = await _card(board)
    member = await create_user()
    await add_member(board, member)
    _, _, theirs = await poker_room()
    with pytest.raises(Forbidden):
        await estimate_card(
            actor=user_actor(member), session_code=theirs["code"], **_where(board, card)
        )
    with pytest.raises(NotFound):
        await estimate_card(actor=user_actor(member), session_code="ZZZZZZ", **_where(board, card))
    colleague = await create_user()
    await add_member(board, colleague, project_role=None)
    with pytest.raises(NotFound):
        await estimate_card(actor=user_actor(colleague), **_where(board, card))
    other = await create_board(board.owner)
    foreign = await _card(other)
    with pytest.raises(NotFound, match="Card not found"):
        await estimate_card(
            actor=user_actor(board.owner), **(_where(board, card) | {"card_id": foreign.id})
        )
    assert await PokerSession.all().count() == 1
