"""A vote's reads and write in plain SQL: the hottest path in a room.

One read finds the session by code, the caller's seat, the story the vote is for and how
many others have voted on it; one upsert records the vote. With the room's seq claimed
first (the room's lock) and the event appended after, a vote is four statements between
BEGIN and COMMIT. On PostgreSQL it is two statements and no transaction around them: the
read, then one statement that claims the seq only if nobody wrote in between, and
upserts and appends with it (see `read_with_seq`). They are steps
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
# Both counts start from the session's seats (by its index), so a vote reads its own
# session's rows whatever the planner believes about the tables: counting from the votes,
# PostgreSQL with statistics older than a burst of joins scanned every seat there is.
# Each seat's vote is then looked up in a subquery of its own, by its unique (story,
# seat) key, one probe per seat: joined instead, a plan PostgreSQL made while the room was
# small (and kept, as it keeps a prepared statement's plan) read every vote of the story
# once per seat.
_CONTEXT = """
SELECT s.id AS session_id, s.status, s.deck, s.current_story_id,
       s.async_voting_enabled, s.auto_reveal,
       p.id AS participant_id, p.role, p.removed_at,
       st.id AS story_id, st.status AS story_status,
       (SELECT COUNT(*) FROM participants q
         WHERE q.session_id = s.id AND q.removed_at IS NULL AND q.role <> 'spectator'
       ) AS voters,
       (SELECT COUNT(*) FROM participants q
         WHERE q.session_id = s.id AND q.removed_at IS NULL AND q.role <> 'spectator'
           AND q.id <> p.id
           AND (SELECT v.id FROM votes v
                 WHERE v.story_id = st.id AND v.participant_id = q.id) IS NOT NULL
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


# PostgreSQL: the context read with the room's seq as the same snapshot saw it, for a
# vote that writes only if that seq is still the room's (see `read_with_seq`).
_READ_WITH_SEQ = """
SELECT (SELECT r.seq FROM rooms r WHERE r.key = ?) AS seen_seq, ctx.*
FROM ({context}) ctx
"""
# Made once for each way of finding the seat, not per vote.
_READ_WITH_SEQ_BY_SEAT = {
    seat: _READ_WITH_SEQ.format(context=_CONTEXT.format(seat=seat, story="?::uuid"))
    for seat in (_GUEST_SEAT, _USER_SEAT)
}


def read_with_seq(
    room: str, code: str, actor: Actor, story_id: uuid.UUID | None
) -> sql.Steps[tuple[int | None, Ballot] | None]:
    """PostgreSQL: the vote's context and the room's seq, from one snapshot, with no lock
    taken; None: no session. The seq is None when the room has none yet.

    Every change a vote's rules depend on claims the room's seq in its transaction, so
    while the room's seq is still the one read here, so is everything else read here: a
    write that claims the next seq only on that condition (`events.UnitOfWork.
    append_if_unchanged`) needs no lock held across the read."""
    seat, who = _seat(actor)
    found = yield sql.stmt(
        _READ_WITH_SEQ_BY_SEAT[seat],
        room,
        who,
        None if story_id is None else str(story_id),
        code,
    )
    if not found:
        return None
    first = found[0]
    seen = first["seen_seq"]
    return (None if seen is None else int(seen)), _ballot(first)


def upsert(story_id: str, participant_id: int, value: str) -> sql.Stmt:
    """Cast or change the vote; answers its id."""
    at = sql.now()
    return sql.stmt(_UPSERT, story_id, participant_id, value, at, at)


# The same upsert, made only when the room's seq was claimed in the same statement (its
# rows come from the `claimed` clause of `append_if_unchanged`).
_UPSERT_IF_CLAIMED = """
INSERT INTO votes (story_id, participant_id, value, created_at, updated_at)
SELECT ?::uuid, ?::int, ?::text, ?::timestamptz, ?::timestamptz FROM claimed
ON CONFLICT (story_id, participant_id)
DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
RETURNING id
"""


def upsert_if_claimed(story_id: str, participant_id: int, value: str) -> sql.Stmt:
    """PostgreSQL: `upsert`, to ride along with a conditional claim."""
    at = sql.now()
    return sql.stmt(_UPSERT_IF_CLAIMED, story_id, participant_id, value, at, at)
