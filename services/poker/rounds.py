"""A round's end and its restart: revealing a story's votes, by the moderator or
automatically once everyone has voted, and voting on it again.

Written as steps (services/sql.py), like a vote: the room's seq is claimed first (its
lock), then the session, the caller's seat and the story are read, and the change and its
event are written, in one hop to SQLite's thread (sharing its commit) or statement by
statement in one transaction on PostgreSQL. A reveal records `StoryRevealed`; when a
board card is linked to the story, the reveal runs again in a transaction of the ORM so
that the card takes the estimate in the same transaction (`events.transact`).
"""

from __future__ import annotations

from typing import Any

from models import PokerSession, Story
from services import sql
from services.actors import Actor
from services.errors import Conflict, Invalid, NotFound
from services.events import StoryRevealed, UnitOfWork, transact
from services.poker.access import (
    code_of_story,
    moderated_steps,
    room_key,
    session_steps,
    transact_judged,
)
from services.poker.decks import round_result
from services.poker.stories import story_steps
from services.poker.views import story_public

__all__ = ["HISTORY_KEPT", "auto_reveal", "restart_round", "reveal"]

# A story keeps the results of its last this many rounds (`round` counts them all).
HISTORY_KEPT = 20

# The story's votes with their voters' names, in the order they were cast.
_VOTES = """
SELECT v.participant_id, p.name, v.value FROM votes v
JOIN participants p ON p.id = v.participant_id
WHERE v.story_id = ? ORDER BY v.id
"""
# Whether every seat that votes has voted on the story (auto-reveal).
_TALLY = """
SELECT (SELECT COUNT(*) FROM participants q
         WHERE q.session_id = ? AND q.removed_at IS NULL AND q.role <> 'spectator'
       ) AS voters,
       (SELECT COUNT(*) FROM votes v JOIN participants q ON q.id = v.participant_id
         WHERE v.story_id = ? AND q.removed_at IS NULL AND q.role <> 'spectator'
       ) AS votes_cast
"""
_REVEALED = """
UPDATE stories SET status = 'revealed', final_estimate = ?, result = ?, revealed_at = ?
WHERE id = ? RETURNING id
"""
_VOTES_CLEARED = "DELETE FROM votes WHERE story_id = ?"
_RESTARTED = """
UPDATE stories SET status = 'voting', round = ?, history = ?, final_estimate = NULL,
    result = NULL, revealed_at = NULL
WHERE id = ? RETURNING id
"""


async def reveal(
    *, actor: Actor, code: str | None = None, story_id: Any | None = None
) -> dict[str, Any]:
    """Reveal a story's votes: the current one, or `story_id` (moderator only)."""
    if code is None:
        if story_id is None:
            raise Invalid("Name a session or a story to reveal")
        code = await code_of_story(story_id)
    return await transact_judged(
        code, lambda uow, canonical: _reveal(uow, canonical, actor, story_id)
    )


def _reveal(uow: UnitOfWork, code: str, actor: Actor, wanted: Any) -> sql.Steps[dict[str, Any]]:
    room, seq, session = yield from moderated_steps(uow, code, actor, open_only=False)
    target = wanted if wanted is not None else session.current_story_id
    if target is None:
        raise Conflict("There is no current story to reveal")
    story = yield from story_steps(session, target)
    if story.status == "revealed":
        raise Conflict("This story is already revealed")
    return (yield from _revealed(uow, room, seq, session, story, actor))


class _NothingToReveal(Exception):
    """An auto-reveal found the round already over, or not yet complete."""


async def auto_reveal(actor: Actor, code: str, story_id: str) -> dict[str, Any] | None:
    """Reveal the current story if every voter has voted on it and it is still hidden;
    None when another change got there first (a reveal, a new story, a new voter)."""
    try:
        return await transact(lambda uow: _auto_reveal(uow, code, actor, story_id))
    except _NothingToReveal:
        return None


def _auto_reveal(
    uow: UnitOfWork, code: str, actor: Actor, story_id: str
) -> sql.Steps[dict[str, Any]]:
    room = room_key(code)
    seq = yield from uow.claim_steps(room)
    session = yield from session_steps(code)
    if not session.auto_reveal or str(session.current_story_id) != story_id:
        raise _NothingToReveal
    story = yield from story_steps(session, story_id)
    if story.status == "revealed":
        raise _NothingToReveal
    tally = (yield sql.stmt(_TALLY, str(session.id), story_id))[0]
    voters = int(tally["voters"])
    if voters == 0 or int(tally["votes_cast"]) < voters:
        raise _NothingToReveal
    return (yield from _revealed(uow, room, seq, session, story, actor))


def _revealed(
    uow: UnitOfWork,
    room: str,
    seq: int,
    session: PokerSession,
    story: Story,
    actor: Actor | None,
) -> sql.Steps[dict[str, Any]]:
    """Reveal `story`, read under the room's lock (`seq` claimed), and tell the room."""
    votes = yield sql.stmt(_VOTES, str(story.id))
    result = round_result(
        [(int(v["participant_id"]), v["name"], v["value"]) for v in votes],
        session.deck,
        with_names=session.record_vote_names,
    )
    story.status = "revealed"
    story.final_estimate = result["final_estimate"]
    story.result = result
    story.revealed_at = sql.now()
    rendered = story_public(story, [int(v["participant_id"]) for v in votes])
    write = sql.stmt(
        _REVEALED, story.final_estimate, sql.json_param(result), story.revealed_at, str(story.id)
    )
    data = {"story_id": str(story.id), "story": rendered}
    yield from uow.append_with(write, room, seq, "story_revealed", data, actor)
    # Whatever else follows from a reveal (a linked board card takes the estimate)
    # happens in this transaction too.
    yield from uow.happened_steps(StoryRevealed(story.id, story.final_estimate, actor))
    return rendered


async def restart_round(*, actor: Actor, code: str) -> dict[str, Any]:
    """Vote again on the current story; the earlier round's result goes to its history."""
    return await transact_judged(code, lambda uow, canonical: _restart(uow, canonical, actor))


def _restart(uow: UnitOfWork, code: str, actor: Actor) -> sql.Steps[dict[str, Any]]:
    room, seq, session = yield from moderated_steps(uow, code, actor)
    if session.current_story_id is None:
        raise NotFound("There is no current story to restart")
    story = yield from story_steps(session, session.current_story_id)
    if story.result is not None:
        # The last rounds only: the history goes out with the story in every snapshot
        # and event, so a round restarted again and again cannot bloat them.
        kept = [*story.history, {"round": story.round, **story.result}]
        story.history = kept[-HISTORY_KEPT:]
    yield sql.stmt(_VOTES_CLEARED, str(story.id))
    story.round += 1
    story.status = "voting"
    story.final_estimate = None
    story.result = None
    story.revealed_at = None
    rendered = story_public(story, [])
    write = sql.stmt(_RESTARTED, story.round, sql.json_param(story.history), str(story.id))
    data = {"story_id": str(story.id), "round": story.round, "story": rendered}
    yield from uow.append_with(write, room, seq, "round_restarted", data, actor)
    return rendered
