"""The trash: archived cards, and bringing one back to the bottom of its column."""

from __future__ import annotations

from typing import Any

from services import group_commit, sql
from services.actors import Actor
from services.boards.cards import update_card
from services.boards.locate import ProjectRef, board_access_steps
from services.boards.views import cards_steps, trash_rows_steps


async def list_trash(*, actor: Actor, ref: ProjectRef) -> list[dict[str, Any]]:
    """Archived cards, the most recently archived first: the caller's access and the
    cards in one hop, as rows (see `cards.list_cards`)."""

    def listed() -> sql.Steps[list[dict[str, Any]]]:
        pid = (yield from board_access_steps(actor, ref)).project_id
        trash = yield from trash_rows_steps(pid)
        return (yield from cards_steps(trash))

    return await group_commit.read(listed)


async def restore_card(*, actor: Actor, ref: ProjectRef, card_id: Any) -> dict[str, Any]:
    """Back on the board (event `card_restored`); a column at its WIP limit refuses it."""
    return await update_card(actor=actor, ref=ref, card_id=card_id, changes={"archived": False})
