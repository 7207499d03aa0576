"""Casting, retracting and revealing votes.

Every writer takes the room's lock before reading the story, so a reveal racing a
late vote has one outcome: the vote lands before the reveal and counts, or after
it and is refused with a conflict.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from models import Participant, PokerSession, Story, Vote
from services import sql
from services.actors import Actor
from services.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from services.events import (
    StoryRevealed,
    UnitOfWork,
    transact,
    transact_unless_raced,
    unit_of_work,
)
from services.poker import ballot
from services.poker.access import (
    SPECTATOR,
    code_of_story,  # re-exported: edges naming only a story look up its session here
    judge_lookup,
    locked_session,
    require_moderator,
    require_open,
    require_participant,
    room_key,
)
from services.poker.codes import normalize
from services.poker.decks import round_result
from services.poker.stories import story_in
from services.poker.views import story_public, voted_by_story

__all__ = ["cast_vote", "code_of_story", "retract_vote", "reveal"]


async def _voting_story(session: PokerSession, story_id: Any | None) -> Story:
    if story_id is not None and str(story_id) != str(session.current_story_id):
        if not session.async_voting_enabled:
            raise Conflict("Only the current story takes votes in this session")
        story = await story_in(session, story_id)
    elif session.current_story_id is None:
        raise Conflict("No story is open for voting")
    else:
        story = await story_in(session, session.current_story_id)
    if story.status == "revealed":
        raise Conflict("Votes on this story are already revealed")
    return story


async def _tally(session: PokerSession, story: Story) -> dict[str, Any]:
    voters = (
        await Participant.filter(session_id=session.id, removed_at=None)
        .exclude(role=SPECTATOR)
        .values_list("id", flat=True)
    )
    cast = await Vote.filter(story_id=story.id, participant_id__in=list(voters)).count()
    total = len(voters)
    return {
        "votes_cast": cast,
        "total_participants": total,
        "all_voted": total > 0 and cast >= total,
    }


class _NoSession(NotFound):
    """The code names no session (a miss, for the code-guessing limit)."""


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
    canonical = normalize(code)
    if canonical is None:
        raise NotFound("No session with that code")
    wanted = _story_ref(story_id)
    # A code a client sent: past the guessing limit, refused before anything is read.
    await judge_lookup(found=True, well_formed=True)
    try:
        asked = _Asked(canonical, actor, wanted, value, participant_id)
        answered = None
        if sql.is_postgres():
            answered = await transact_unless_raced(lambda uow: _vote_unless_raced(uow, asked))
        if answered is None:
            answered = await transact(lambda uow: _vote(uow, asked))
    except _NoSession:
        await judge_lookup(found=False, well_formed=True)
        raise
    answer, complete = answered
    if complete:
        answer["revealed"] = await _auto_reveal(actor, canonical, answer["vote"]["story_id"])
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
        raise _NoSession("No session with that code")
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
        raise _NoSession("No session with that code")
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


async def _auto_reveal(actor: Actor, code: str, story_id: str) -> dict[str, Any] | None:
    """Reveal the current story if every voter has voted on it and it is still hidden;
    None when another change got there first (a reveal, a new story, a new voter)."""
    async with unit_of_work() as uow:
        session = await locked_session(uow, code)
        if not session.auto_reveal or str(session.current_story_id) != story_id:
            return None
        story = await story_in(session, story_id)
        if story.status == "revealed" or not (await _tally(session, story))["all_voted"]:
            return None
        return await _reveal(uow, session, story, actor)


def _story_ref(story_id: Any | None) -> uuid.UUID | None:
    if story_id is None:
        return None
    try:
        return uuid.UUID(str(story_id))
    except ValueError:
        raise NotFound("No such story in this session") from None


def _voter(found: ballot.Ballot, actor: Actor, participant_id: int | None) -> int:
    """The caller's seat, by the same rules as `require_participant`."""
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
    if found.role == SPECTATOR:
        raise Forbidden("Spectators watch but do not vote")
    return found.participant_id


def _ballot_story(found: ballot.Ballot, wanted: uuid.UUID | None) -> str:
    """The story the vote is for, by the same rules as `_voting_story`."""
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
    async with unit_of_work() as uow:
        session = await locked_session(uow, code)
        require_open(session)
        me = await require_participant(actor, session)
        story = await _voting_story(session, story_id)
        deleted = await Vote.filter(story_id=story.id, participant_id=me.id).delete()
        stats = await _tally(session, story)
        if deleted:
            await uow.emit(
                room_key(session.code),
                "vote_retracted",
                {
                    "story_id": str(story.id),
                    "participant_id": me.id,
                    "votes_cast": stats["votes_cast"],
                },
                actor,
            )
    return {"story_id": str(story.id), "retracted": bool(deleted), "stats": stats}


async def _reveal(
    uow: UnitOfWork, session: PokerSession, story: Story, actor: Actor | None
) -> dict[str, Any]:
    votes = await Vote.filter(story_id=story.id).select_related("participant").order_by("id")
    result = round_result(
        [(v.participant.id, v.participant.name, v.value) for v in votes],
        session.deck,
        with_names=session.record_vote_names,
    )
    story.status = "revealed"
    story.final_estimate = result["final_estimate"]
    story.result = result
    story.revealed_at = datetime.now(UTC)
    await story.save()
    voted = await voted_by_story([story.id])
    rendered = story_public(story, voted[str(story.id)])
    await uow.emit(
        room_key(session.code),
        "story_revealed",
        {"story_id": str(story.id), "story": rendered},
        actor,
    )
    # Whatever else follows from a reveal (a linked board card takes the estimate)
    # happens in this transaction too.
    await uow.happened(StoryRevealed(story.id, story.final_estimate, actor))
    return rendered


async def reveal(
    *, actor: Actor, code: str | None = None, story_id: Any | None = None
) -> dict[str, Any]:
    """Reveal a story's votes: the current one, or `story_id` (moderator only)."""
    if code is None:
        if story_id is None:
            raise Invalid("Name a session or a story to reveal")
        code = await code_of_story(story_id)
    async with unit_of_work() as uow:
        session = await locked_session(uow, code)
        await require_moderator(actor, session)
        target = story_id if story_id is not None else session.current_story_id
        if target is None:
            raise Conflict("There is no current story to reveal")
        story = await story_in(session, target)
        if story.status == "revealed":
            raise Conflict("This story is already revealed")
        return await _reveal(uow, session, story, actor)
