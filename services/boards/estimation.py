"""Planning poker on a card: the card becomes a story in a poker session, and the
revealed estimate is written back onto the card, live on its board.

Lock order: a reveal holds the poker room's lock and then takes the board's. Nothing
here holds a board lock while calling into poker, so the two never wait on each other.
"""

from __future__ import annotations

import uuid
from typing import Any

from models import Card, PokerSession
from services import sql
from services.actors import Actor
from services.boards.access import board_room
from services.boards.locate import ProjectRef, board_access, card_in, lock_board, locked_project
from services.boards.views import card_public
from services.errors import NotFound
from services.events import StoryRevealed, UnitOfWork, react, unit_of_work
from services.poker.sessions import create_session
from services.poker.stories import add_story, start_story

SESSION_NAME_MAX = 200
STORY_TITLE_MAX = 500


async def estimate_card(
    *,
    actor: Actor,
    org_slug: str,
    ws_slug: str,
    project_id: Any,
    card_id: Any,
    session_code: str | None = None,
) -> dict[str, Any]:
    """Put the card up for estimation: in a new session owned by the caller, or as the
    current story of `session_code` (which the caller must moderate)."""
    ref = ProjectRef(project_id, org_slug, ws_slug)
    # Checked before the session is made, and again with the board locked.
    access = await board_access(actor, ref)
    card = await card_in(access.project.id, card_id)
    if session_code is None:
        session = await create_session(
            actor=actor, name=f"Estimate: {card.title}"[:SESSION_NAME_MAX]
        )
        code = str(session["code"])
    else:
        code = session_code.strip().upper()
    story = await add_story(
        actor=actor, code=code, title=card.title[:STORY_TITLE_MAX], description=card.description
    )
    poker = await PokerSession.get(code=code)
    if poker.current_story_id != uuid.UUID(story["id"]):
        await start_story(actor=actor, code=code, story_id=story["id"])
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        # The card may have gone while the story was being made.
        linked = await Card.filter(id=card.id, project_id=access.project.id).update(
            poker_session_id=poker.id, poker_story_id=uuid.UUID(story["id"])
        )
        if not linked:
            raise NotFound("Card not found")
    return {"sessionCode": code, "storyId": story["id"], "joinUrl": f"/r/{code}"}


async def apply_estimate(uow: UnitOfWork, revealed: StoryRevealed) -> None:
    """A reaction to a reveal, inside its transaction: cards linked to the story take its
    final estimate, and their boards see the change at once."""
    if revealed.final_estimate is None:
        return
    actor = revealed.actor
    linked = await Card.filter(poker_story_id=revealed.story_id).values_list("id", "project_id")
    for card_id, project_id in linked:
        await lock_board(uow, uuid.UUID(str(project_id)))
        card = await Card.get(id=card_id)
        card.estimate = revealed.final_estimate
        card.version += 1
        await card.save()
        await uow.emit(
            board_room(card.project_id), "card_updated", {"card": await card_public(card)}, actor
        )


def no_card_to_estimate(revealed: StoryRevealed) -> sql.Steps[bool]:
    """True when `apply_estimate` would change nothing: no estimate, or no linked card."""
    if revealed.final_estimate is None:
        return True
    linked = yield sql.stmt(_LINKED, str(revealed.story_id))
    return not linked


_LINKED = "SELECT 1 AS linked FROM cards WHERE poker_story_id = ? LIMIT 1"

react(StoryRevealed, apply_estimate, idle=no_card_to_estimate)
