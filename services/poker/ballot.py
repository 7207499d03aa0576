"""A vote's reads and write in plain SQL: the hottest path in a room.

One read finds the session by code, the caller's seat, the story the vote is for and how
many others have voted on it; one upsert records the vote. With the room's seq claimed
first (the room's lock) and the event appended after, a vote is four statements between
BEGIN and COMMIT, and three on PostgreSQL (see `claim_and_read`). They are steps
(services/sql.py): they run inside `events.transact`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from services import sql
from services.actors import Actor

# The seat is the guest token's participant, or the signed-in user's seat in the
# session; the story is the one named, or the current one. Spectators never vote, and
# people who left do not count.
_CONTEXT = """
SELECT s.id AS session_id, s.status, s.deck, s.current_story_id,
       s.async_voting_enabled, s.auto_reveal,
       p.id AS participant_id, p.role, p.removed_at,
       st.id AS story_id, st.status AS story_status,
       (SELECT COUNT(*) FROM participants q
         WHERE q.session_id = s.id AND q.removed_at IS NULL AND q.role <> 'spectator'
       ) AS voters,
       (SELECT COUNT(*) FROM votes v JOIN participants q ON q.id = v.participant_id
         WHERE v.story_id = st.id AND v.participant_id <> p.id
           AND q.removed_at IS NULL AND q.role <> 'spectator'
       ) AS others
FROM poker_sessions s
LEFT JOIN participants p ON {seat}
LEFT JOIN stories st ON st.session_id = s.id AND st.id = COALESCE({story}, s.current_story_id)
WHERE s.code = ?
"""
_GUEST_SEAT = "p.id = ?"
_USER_SEAT = "p.session_id = s.id AND p.user_id = ? AND p.removed_at IS NULL"

_UPSERT = """
INSERT INTO votes (story_id, participant_id, value, created_at, updated_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (story_id, participant_id)
DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
RETURNING id
"""


@dataclass(frozen=True)
class Ballot:
    """What a vote needs to know, read in one statement."""

    session_id: str
    status: str
    deck: list[str]
    current_story_id: str | None
    async_voting: bool
    auto_reveal: bool
    participant_id: int | None
    role: str | None
    removed: bool
    story_id: str | None
    story_status: str | None
    voters: int
    others: int


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def read(code: str, actor: Actor, story_id: uuid.UUID | None) -> sql.Steps[Ballot | None]:
    """The session with this code, the caller's seat and the story; None: no session."""
    story = "?::uuid" if sql.is_postgres() else "?"
    seat, who = _seat(actor)
    rows = yield sql.stmt(
        _CONTEXT.format(seat=seat, story=story),
        who,
        None if story_id is None else str(story_id),
        code,
    )
    return _ballot(rows[0]) if rows else None


def _seat(actor: Actor) -> tuple[str, int | str | None]:
    """How the read finds the caller's seat, and the value it looks for."""
    if actor.kind == "guest":
        return _GUEST_SEAT, actor.participant_id
    return _USER_SEAT, None if actor.user_id is None else str(actor.user_id)


def _ballot(found: dict[str, Any]) -> Ballot:
    return Ballot(
        session_id=str(found["session_id"]),
        status=found["status"],
        deck=list(sql.json_value(found["deck"])),
        current_story_id=_text(found["current_story_id"]),
        async_voting=bool(found["async_voting_enabled"]),
        auto_reveal=bool(found["auto_reveal"]),
        participant_id=found["participant_id"],
        role=found["role"],
        removed=found["removed_at"] is not None,
        story_id=_text(found["story_id"]),
        story_status=found["story_status"],
        voters=int(found["voters"]),
        others=int(found["others"]),
    )


# PostgreSQL: the room's seq claimed and the context read in one statement. The read
# sees the statement's snapshot, taken before the claim waited for the room's lock; it
# also reads the room's seq in that snapshot, so the caller knows whether a writer
# holding the lock committed in between (see `claim_and_read`).
_CLAIM_AND_READ = """
WITH claimed AS (UPDATE rooms SET seq = seq + 1 WHERE key = ? RETURNING seq)
SELECT c.seq AS claimed_seq, (SELECT r.seq FROM rooms r WHERE r.key = ?) AS seen_seq, ctx.*
FROM claimed c LEFT JOIN ({context}) ctx ON true
"""
# Made once for each way of finding the seat, not per vote.
_CLAIM_AND_READ_BY_SEAT = {
    seat: _CLAIM_AND_READ.format(context=_CONTEXT.format(seat=seat, story="?::uuid"))
    for seat in (_GUEST_SEAT, _USER_SEAT)
}


def claim_and_read(
    room: str, code: str, actor: Actor, story_id: uuid.UUID | None
) -> sql.Steps[tuple[int, Ballot | None] | None]:
    """PostgreSQL: claim the room's seq (its lock) and read the vote's context in one
    statement; None when the room has no seq yet (then claim and read one by one).

    Every change a vote's rules depend on claims the room's seq in its transaction. When
    the seq claimed follows the one the read saw, no such change committed between the
    read's snapshot and the lock, and the read holds; otherwise it is read again, now
    that the lock is held (READ COMMITTED: a new statement, a new snapshot)."""
    seat, who = _seat(actor)
    found = yield sql.stmt(
        _CLAIM_AND_READ_BY_SEAT[seat],
        room,
        room,
        who,
        None if story_id is None else str(story_id),
        code,
    )
    if not found:
        return None
    first = found[0]
    seq = int(first["claimed_seq"])
    if first["seen_seq"] is None or int(first["seen_seq"]) + 1 != seq:
        return seq, (yield from read(code, actor, story_id))
    return seq, _ballot(first) if first["session_id"] is not None else None


def upsert(story_id: str, participant_id: int, value: str) -> sql.Stmt:
    """Cast or change the vote; answers its id."""
    at = sql.now()
    return sql.stmt(_UPSERT, story_id, participant_id, value, at, at)
