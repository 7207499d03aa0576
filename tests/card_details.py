"""Builders for the card-detail suites: cards, PAT headers, and captured board events."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from models import Card, User
from services import events, tokens
from services.events import Event
from tests.factories import Board, bearer, create_user, user_actor

_positions = itertools.count(1)


async def make_card(board: Board, title: str = "Write the spec", **fields: Any) -> Card:
    """A card in the board's first column (or `column`), created by the board's owner."""
    column = fields.pop("column", board.columns[0])
    return await Card.create(
        project_id=board.project.id,
        column_id=column.id,
        title=title,
        position=f"a{next(_positions):06d}",
        created_by_id=fields.pop("created_by_id", board.owner.id),
        **fields,
    )


async def pat_headers(user: User, *scopes: str) -> dict[str, Any]:
    _, token = await tokens.create_token(actor=user_actor(user), name="bot", scopes=list(scopes))
    return bearer(token)


async def outsider() -> User:
    return await create_user()


@contextmanager
def captured() -> Iterator[list[Event]]:
    """Every event published after commit while the block runs."""
    seen: list[Event] = []

    async def listener(batch: list[events.Fact]) -> None:
        seen.extend(f for f in batch if isinstance(f, Event))

    events.subscribe(listener)
    try:
        yield seen
    finally:
        events.unsubscribe(listener)


def of_type(seen: list[Event], type: str) -> list[dict[str, Any]]:
    return [e.data for e in seen if e.type == type]
