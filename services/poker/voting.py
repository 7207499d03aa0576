"""Casting and retracting votes (revealing them: services/poker/rounds.py).

Every writer takes the room's lock before reading the story, so a reveal racing a
late vote has one outcome: the vote lands before the reveal and counts, or after
it and is refused with a conflict.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from services import sql
from services.actors import Actor
from services.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from services.events import UnitOfWork, transact, transact_unless_raced
from services.poker import ballot
from services.poker.access import (
    SPECTATOR,
    NoSession,
    judged,
    room_key,
)
from services.poker.rounds import auto_reveal

__all__ = ["cast_vote", "retract_vote"]


async def cast_vote(
    *,
    actor: Actor,
    code: str,
    value: str,
    participant_id: int | None = None,
    story_id: Any | None = None,
) -> dict[str, Any]:
    """Record the caller's vote. `participant_id`, when sent, must be the caller's own.

    The hot path, written as steps (`events.transact`): the room's seq is claimed first
    (its lock), one read finds everything the rules need, one upsert records the vote
    and the event follows; the tally is the others' votes plus this one. A refused vote
    rolls back whole. On PostgreSQL it first tries without the lock: one read, then one
    statement that writes only if nobody wrote to the room in between
    (`_vote_unless_raced`); when somebody did, it votes again under the lock. When it
    completes the round in an auto-reveal session, the reveal follows in a transaction
    of its own."""
    wanted = _story_ref(story_id)

    async def voting(canonical: str) -> tuple[str, _Voted]:
        asked = _Asked(canonical, actor, wanted, value, participant_id)
        answered = None
        if sql.is_postgres():
            answered = await transact_unless_raced(lambda uow: _vote_unless_raced(uow, asked))
        if answered is None:
            answered = await transact(lambda uow: _vote(uow, asked))
        return canonical, answered

    canonical, (answer, complete) = await judged(code, voting)
    if complete:
        answer["revealed"] = await auto_reveal(actor, canonical, answer["vote"]["story_id"])
    return answer


_Voted = tuple[dict[str, Any], bool]


@dataclass(frozen=True)
class _Asked:
    """The vote a caller asked for."""

    code: str
    actor: Actor
    story: uuid.UUID | None
    value: str
    participant_id: int | None


def _vote(uow: UnitOfWork, asked: _Asked) -> sql.Steps[_Voted]:
    """The vote under the room's lock: claim the seq, read, judge, write."""
    room = room_key(asked.code)
    seq = yield from uow.claim_steps(room)
    found = yield from ballot.read(asked.code, asked.actor, asked.story)
    if found is None:
        raise NoSession
    me, story, cast = _judged(found, asked)
    written, _ = yield from uow.append_with(
        ballot.upsert(story, me, asked.value),
        room,
        seq,
        "vote_cast",
        _cast(story, me, cast),
        asked.actor,
    )
    return _answer(found, int(written[0]["id"]), story, me, asked.value, cast)


def _vote_unless_raced(uow: UnitOfWork, asked: _Asked) -> sql.Steps[_Voted | None]:
    """PostgreSQL, with no lock held: read the context and the room's seq, judge, then
    write in one statement only if the room's seq has not moved. None when it moved
    (another writer of the room came first) and nothing was written: then `_vote`."""
    room = room_key(asked.code)
    read = yield from ballot.read_with_seq(room, asked.code, asked.actor, asked.story)
    if read is None:
        raise NoSession
    seen, found = read
    if seen is None:
        return None
    me, story, cast = _judged(found, asked)
    written = yield from uow.append_if_unchanged(
        ballot.upsert_if_claimed(story, me, asked.value),
        room,
        seen,
        "vote_cast",
        _cast(story, me, cast),
        asked.actor,
    )
    if written is None:
        return None
    return _answer(found, int(written[0]["id"]), story, me, asked.value, cast)


def _judged(found: ballot.Ballot, asked: _Asked) -> tuple[int, str, int]:
    """The vote's seat, its story and the votes cast with it, or the rule it breaks."""
    me = _voter(found, asked.actor, asked.participant_id)
    story = _ballot_story(found, asked.story)
    if asked.value not in found.deck:
        raise Invalid(
            f"'{asked.value}' is not a card in this session's deck",
            details={"errors": {"vote": [f"must be one of: {', '.join(found.deck)}"]}},
        )
    return me, story, found.others + 1


def _cast(story: str, me: int, cast: int) -> dict[str, Any]:
    return {"story_id": story, "participant_id": me, "votes_cast": cast}


def _answer(
    found: ballot.Ballot, vote_id: int, story: str, me: int, value: str, cast: int
) -> _Voted:
    """The vote's answer, and whether it completes an auto-revealed round."""
    stats = {
        "votes_cast": cast,
        "total_participants": found.voters,
        "all_voted": cast >= found.voters,
    }
    answer = {
        "vote": {"id": vote_id, "story_id": story, "participant_id": me, "value": value},
        "stats": stats,
        "revealed": None,
    }
    complete = found.auto_reveal and stats["all_voted"] and story == found.current_story_id
    return answer, bool(complete)


def _story_ref(story_id: Any | None) -> uuid.UUID | None:
    if story_id is None:
        return None
    try:
        return uuid.UUID(str(story_id))
    except ValueError:
        raise NotFound("No such story in this session") from None


def _voter(
    found: ballot.Ballot, actor: Actor, participant_id: int | None, *, voting: bool = True
) -> int:
    """The caller's seat, by the same rules as `require_participant`; a spectator's only
    when not `voting` (taking back a vote they cannot have)."""
    if found.status == "archived":
        raise Conflict("This session is archived")
    if found.status != "active":
        raise Conflict(f"This session is {found.status}")
    if actor.kind == "guest":
        if actor.session_id is None or str(actor.session_id) != found.session_id:
            raise Forbidden("This guest token belongs to another session")
        if found.participant_id is None or found.removed:
            raise Unauthorized("You were removed from this session")
    elif found.participant_id is None:
        raise Forbidden("Join the session first")
    if participant_id is not None and participant_id != found.participant_id:
        raise Forbidden("You can only vote as yourself")
    if voting and found.role == SPECTATOR:
        raise Forbidden("Spectators watch but do not vote")
    return found.participant_id


def _ballot_story(found: ballot.Ballot, wanted: uuid.UUID | None) -> str:
    """The story the vote is for: the current one, or with async voting any story not
    yet revealed."""
    if wanted is not None and str(wanted) != found.current_story_id:
        if not found.async_voting:
            raise Conflict("Only the current story takes votes in this session")
    elif found.current_story_id is None:
        raise Conflict("No story is open for voting")
    if found.story_id is None:
        raise NotFound("No such story in this session")
    if found.story_status == "revealed":
        raise Conflict("Votes on this story are already revealed")
    return found.story_id


async def retract_vote(*, actor: Actor, code: str, story_id: Any | None = None) -> dict[str, Any]:
    """Take the caller's vote back, written as steps like a vote: the seq claimed, the
    same read, then the vote deleted with its event. With no vote to take back, nothing
    is written (the claimed seq is rolled back) and the tally is answered as it is."""
    wanted = _story_ref(story_id)

    async def retracting(canonical: str) -> dict[str, Any]:
        asked = _Asked(canonical, actor, wanted, "", None)
        try:
            return await transact(lambda uow: _retract(uow, asked))
        except _NothingRetracted as nothing:
            return nothing.answer

    return await judged(code, retracting)


class _NothingRetracted(Exception):
    """The caller had no vote on the story; `answer` says so."""

    def __init__(self, answer: dict[str, Any]) -> None:
        super().__init__("no vote to retract")
        self.answer = answer


_RETRACTED = "DELETE FROM votes WHERE story_id = ? AND participant_id = ? RETURNING id"


def _retract(uow: UnitOfWork, asked: _Asked) -> sql.Steps[dict[str, Any]]:
    room = room_key(asked.code)
    seq = yield from uow.claim_steps(room)
    found = yield from ballot.read(asked.code, asked.actor, asked.story)
    if found is None:
        raise NoSession
    me = _voter(found, asked.actor, None, voting=False)
    story = _ballot_story(found, asked.story)
    stats = {
        "votes_cast": found.others,
        "total_participants": found.voters,
        "all_voted": found.voters > 0 and found.others >= found.voters,
    }
    data = {"story_id": story, "participant_id": me, "votes_cast": found.others}
    deleted, _ = yield from uow.append_with(
        sql.stmt(_RETRACTED, story, me), room, seq, "vote_retracted", data, asked.actor
    )
    answer = {"story_id": story, "retracted": bool(deleted), "stats": stats}
    if not deleted:
        raise _NothingRetracted(answer)
    return answer
