"""Card order within a column: fractional-index keys, so a move rewrites one row and
reads only its two new neighbours.

Cards sort by (position, id). Keys are ASCII base62 and are compared byte by byte: in
Python, where string order is byte order, and in SQL only under the "C" collation; the
database's default collation (which on PostgreSQL may fold case) never decides the
order of a column.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from fractional_indexing import generate_key_between, generate_n_keys_between

from models import Card
from services import sql
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
    # The cards now right above and right below it (None at either end of the column).
    above: uuid.UUID | None
    below: uuid.UUID | None
    # Every other card whose key changed because the column was renumbered.
    renumbered: dict[uuid.UUID, str]
    # The card already sat there: nothing to write.
    stays: bool = False


@dataclass(frozen=True)
class Drop:
    """Where a card is asked to go: right below `after_id` and/or right above
    `before_id`, else at the 0-based `order` (clamped), else at `edge` of the column."""

    after_id: uuid.UUID | None = None
    before_id: uuid.UUID | None = None
    order: int | None = None
    edge: Edge = "bottom"

    @property
    def names_a_card(self) -> bool:
        return self.after_id is not None or self.before_id is not None


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


@dataclass(frozen=True)
class _Gap:
    above: Slot | None
    below: Slot | None

    def holds(self, position: str) -> bool:
        """Whether a card with this key already sits between the two."""
        return (self.above is None or self.above.position < position) and (
            self.below is None or position < self.below.position
        )

    def key(self) -> str | None:
        """A short key between the two, or None when there is none."""
        low = self.above.position if self.above else None
        high = self.below.position if self.below else None
        if low is not None and high is not None and low >= high:
            return None  # equal keys (never written by us, but possible in imported data)
        key: str = generate_key_between(low, high)
        return key if len(key) <= MAX_KEY_LENGTH else None

    def placed(
        self, position: str, renumbered: dict[uuid.UUID, str], *, stays: bool = False
    ) -> Placement:
        above, below = (
            (self.above.id if self.above else None),
            (self.below.id if self.below else None),
        )
        return Placement(
            position=position, above=above, below=below, renumbered=renumbered, stays=stays
        )


def _gap_at(slots: list[Slot], at: int) -> _Gap:
    return _Gap(slots[at - 1] if at > 0 else None, slots[at] if at < len(slots) else None)


class RenumberingNeeded(Exception):
    """The keys around a drop have grown too long, and the caller placed it without the
    board's lock, where the column may not be renumbered."""


def _place(slots: list[Slot], at: int, renumber: bool) -> sql.Steps[Placement]:
    """The key for a card inserted at index `at`; renumbers the column (inside the
    caller's locked transaction) when the keys there have grown too long."""
    gap = _gap_at(slots, at)
    key = gap.key()
    if key is not None:
        return gap.placed(key, {})
    if not renumber:
        raise RenumberingNeeded
    keys: list[str] = generate_n_keys_between(None, None, len(slots) + 1)
    others = keys[:at] + keys[at + 1 :]
    changed = {s.id: k for s, k in zip(slots, others, strict=True) if s.position != k}
    for cid, k in changed.items():
        yield sql.stmt("UPDATE cards SET position = ? WHERE id = ?", k, str(cid))
    return gap.placed(keys[at], changed)


def place_steps(
    column_id: uuid.UUID, drop: Drop, *, staying: Slot | None = None, renumber: bool = True
) -> sql.Steps[Placement]:
    """The key for a card dropped into a column, inside the caller's locked transaction.
    `staying` is the card itself when it is already in that column; if it already sits
    where it was dropped, its placement `stays`. Without `renumber` (a caller holding no
    lock), keys grown too long raise `RenumberingNeeded` instead of renumbering.

    The neighbours a drop names are read on their own, not the whole column; the column
    is read only when that read cannot place the card: a named card that has left the
    column or is no longer a neighbour (the column's order words the conflict), or keys
    grown too long (the column is renumbered)."""
    exclude = staying.id if staying else None
    by_index = drop.order is not None and not drop.names_a_card
    if not by_index:
        gap = yield from _neighbours(column_id, drop, exclude)
        if gap is not None:
            if staying is not None and gap.holds(staying.position):
                return gap.placed(staying.position, {}, stays=True)
            key = gap.key()
            if key is not None:
                return gap.placed(key, {})
    rows = yield sql.stmt(_COLUMN, str(column_id))
    slots = ordered(s for s in _slots(rows) if s.id != exclude)
    if by_index:
        at = index_for_order(slots, drop.order or 0)
    else:
        at = insert_index(slots, after_id=drop.after_id, before_id=drop.before_id, edge=drop.edge)
    if staying is not None and _gap_at(slots, at).holds(staying.position):
        return _gap_at(slots, at).placed(staying.position, {}, stays=True)
    return (yield from _place(slots, at, renumber))


async def place_in(column_id: uuid.UUID, drop: Drop, *, staying: Slot | None = None) -> Placement:
    """`place_steps`, run on the current connection."""
    return await sql.drive(place_steps(column_id, drop, staying=staying))


# A column's live cards but one, in byte order of (position, id); the collation is
# named because PostgreSQL's default one may fold case.
_LIVE = "c.column_id = ? AND c.archived = FALSE AND c.id <> ?"
_UP = 'ORDER BY c.position COLLATE "C", c.id'
_DOWN = 'ORDER BY c.position COLLATE "C" DESC, c.id DESC'
_ANCHOR = "(SELECT position AS p FROM cards WHERE id = ? AND column_id = ? AND archived = FALSE) a"
_FROM_ANCHOR = {
    # The anchor and the card below it.
    "after": f"""SELECT c.id, c.position FROM cards c, {_ANCHOR} WHERE {_LIVE}
        AND (c.position COLLATE "C" > a.p OR (c.position = a.p AND c.id >= ?)) {_UP} LIMIT 2""",
    # The anchor and the card above it.
    "before": f"""SELECT c.id, c.position FROM cards c, {_ANCHOR} WHERE {_LIVE}
        AND (c.position COLLATE "C" < a.p OR (c.position = a.p AND c.id <= ?)) {_DOWN} LIMIT 2""",
}
_AT_EDGE = {
    "top": f"SELECT c.id, c.position FROM cards c WHERE {_LIVE} {_UP} LIMIT 1",
    "bottom": f"SELECT c.id, c.position FROM cards c WHERE {_LIVE} {_DOWN} LIMIT 1",
}
_NOBODY = str(uuid.UUID(int=0))


_COLUMN = "SELECT id, position FROM cards WHERE column_id = ? AND archived = FALSE"


def _dialect(statement: str) -> str:
    return statement if sql.is_postgres() else statement.replace(' COLLATE "C"', "")


def _slots(rows: sql.Rows) -> list[Slot]:
    return [Slot(id=uuid.UUID(str(r["id"])), position=str(r["position"])) for r in rows]


def _neighbours(
    column_id: uuid.UUID, drop: Drop, exclude: uuid.UUID | None
) -> sql.Steps[_Gap | None]:
    """The two cards a drop falls between, in one read of at most two rows; None when
    they are not where the drop says."""
    live = (str(column_id), str(exclude or _NOBODY))
    if drop.after_id is not None:
        anchor = str(drop.after_id)
        found = _slots(
            (yield sql.stmt(_dialect(_FROM_ANCHOR["after"]), anchor, live[0], *live, anchor))
        )
        if not found or found[0].id != drop.after_id:
            return None
        below = found[1] if len(found) > 1 else None
        if drop.before_id is not None and (below is None or below.id != drop.before_id):
            return None
        return _Gap(found[0], below)
    if drop.before_id is not None:
        anchor = str(drop.before_id)
        found = _slots(
            (yield sql.stmt(_dialect(_FROM_ANCHOR["before"]), anchor, live[0], *live, anchor))
        )
        if not found or found[0].id != drop.before_id:
            return None
        return _Gap(found[1] if len(found) > 1 else None, found[0])
    found = _slots((yield sql.stmt(_dialect(_AT_EDGE[drop.edge]), *live)))
    edge = found[0] if found else None
    return _Gap(None, edge) if drop.edge == "top" else _Gap(edge, None)
