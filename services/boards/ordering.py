"""Card order within a column: fractional-index keys, so a move rewrites one row.

Cards sort by (position, id). Keys are ASCII base62 and are always compared here, in
Python, where string order is byte order; the database's collation (which on
PostgreSQL may fold case) never decides the order of a column.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from fractional_indexing import generate_key_between, generate_n_keys_between

from models import Card
from services.errors import Conflict, Invalid

# A key longer than this makes the whole column renumber; the column holds 64.
MAX_KEY_LENGTH = 48

Edge = Literal["top", "bottom"]


@dataclass(frozen=True)
class Slot:
    id: uuid.UUID
    position: str


@dataclass(frozen=True)
class Placement:
    position: str
    # Every other card whose key changed because the column was renumbered.
    renumbered: dict[uuid.UUID, str]


def sort_key(position: str, card_id: uuid.UUID | str) -> tuple[str, str]:
    return (position, str(card_id))


def ordered(slots: Iterable[Slot]) -> list[Slot]:
    return sorted(slots, key=lambda s: sort_key(s.position, s.id))


async def column_slots(
    column_id: uuid.UUID, *, archived: bool = False, exclude: uuid.UUID | None = None
) -> list[Slot]:
    """The column's cards in board order (the live ones unless `archived`)."""
    rows = await Card.filter(column_id=column_id, archived=archived).values_list("id", "position")
    return ordered(
        Slot(id=uuid.UUID(str(cid)), position=str(pos)) for cid, pos in rows if cid != exclude
    )


def insert_index(
    slots: list[Slot],
    *,
    after_id: uuid.UUID | None,
    before_id: uuid.UUID | None,
    edge: Edge,
) -> int:
    """Where a card goes among `slots` (which never hold the card itself): right below
    `after_id`, right above `before_id`, both when they are still neighbours, or at
    `edge` when neither is named."""
    index = {s.id: i for i, s in enumerate(slots)}
    at: int | None = None
    if after_id is not None:
        if after_id not in index:
            raise Conflict("The card above the drop is no longer in that column")
        at = index[after_id] + 1
    if before_id is not None:
        if before_id not in index:
            raise Conflict("The card below the drop is no longer in that column")
        if at is not None and index[before_id] != at:
            raise Conflict("Those two cards are no longer neighbours")
        at = index[before_id]
    if at is None:
        at = 0 if edge == "top" else len(slots)
    return at


def index_for_order(slots: list[Slot], order: int) -> int:
    """A 0-based target index, clamped to the column."""
    if order < 0:
        raise Invalid("order must be 0 or more")
    return min(order, len(slots))


def _key_at(slots: list[Slot], at: int) -> str | None:
    low = slots[at - 1].position if at > 0 else None
    high = slots[at].position if at < len(slots) else None
    if low is not None and high is not None and low >= high:
        return None  # equal keys (never written by us, but possible in imported data)
    key: str = generate_key_between(low, high)
    return key if len(key) <= MAX_KEY_LENGTH else None


async def place(slots: list[Slot], at: int) -> Placement:
    """The key for a card inserted at index `at`; renumbers the column (inside the
    caller's locked transaction) when the keys there have grown too long."""
    key = _key_at(slots, at)
    if key is not None:
        return Placement(position=key, renumbered={})
    keys: list[str] = generate_n_keys_between(None, None, len(slots) + 1)
    others = keys[:at] + keys[at + 1 :]
    changed = {s.id: k for s, k in zip(slots, others, strict=True) if s.position != k}
    if changed:
        await Card.bulk_update(
            [Card(id=cid, position=k) for cid, k in changed.items()],
            fields=["position"],
            batch_size=200,
        )
    return Placement(position=keys[at], renumbered=changed)
