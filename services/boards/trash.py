"""The trash: archived cards, and bringing one back to the bottom of its column."""

from __future__ import annotations

from typing import Any

from models import Card
from services.actors import Actor
from services.boards.cards import update_card
from services.boards.locate import ProjectRef, board_access
from services.boards.views import cards_public


async def list_trash(*, actor: Actor, ref: ProjectRef) -> list[dict[str, Any]]:
    """Archived cards, the most recently archived first."""
    acc = await board_access(actor, ref)
    cards = await Card.filter(project_id=acc.project.id, archived=True).order_by(
        "-archived_at", "id"
    )
    return await cards_public(list(cards))


async def restore_card(*, actor: Actor, ref: ProjectRef, card_id: Any) -> dict[str, Any]:
    """Back on the board (event `card_restored`); a column at its WIP limit refuses it."""
    return await update_card(actor=actor, ref=ref, card_id=card_id, changes={"archived": False})
