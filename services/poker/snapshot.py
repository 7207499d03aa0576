"""The room snapshot: everything a client needs to draw the room, as one viewer sees it.

A socket reads it on every connect, so a reconnection storm after a restart is this
read, thousands of times. Its reads are steps (services/sql.py): the session by code, the
viewer's seat, the room's seq, the people, the stories, who voted and the viewer's own
vote: six statements, in one hop to SQLite's thread.
The session and the viewer's seat become models as Tortoise makes them; the people and
the stories, which a room may hold by the hundred, stay rows (`views.Seat`,
`views.StoryRow`), which render as the models do.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from models import Participant, PokerSession
from services import group_commit, sql
from services.actors import Actor
from services.errors import NotFound
from services.poker.access import MODERATOR, SPECTATOR, judge_lookup, room_key, seat_steps
from services.poker.codes import normalize
from services.poker.views import (
    Seat,
    StoryRow,
    participant_public,
    people_steps,
    session_public,
    stories_steps,
    story_public,
)

_SESSION = """
SELECT s.*, r.seq AS room_seq FROM poker_sessions s LEFT JOIN rooms r ON r.key = ?
WHERE s.code = ?
"""
_VOTED = """
SELECT v.story_id, v.participant_id FROM votes v JOIN stories s ON s.id = v.story_id
WHERE s.session_id = ? ORDER BY v.id
"""
_MY_VOTE = "SELECT value FROM votes WHERE story_id = ? AND participant_id = ?"


@dataclass(frozen=True)
class _Read:
    session: PokerSession
    viewer: Participant | None
    seq: int
    people: list[Seat]
    stories: list[StoryRow]
    voted: dict[str, list[int]]
    my_vote: str | None


def _reads(code: str, actor: Actor) -> sql.Steps[_Read | None]:
    found = yield sql.stmt(_SESSION, room_key(code), code)
    if not found:
        return None
    session = PokerSession._init_from_db(**found[0])
    viewer = yield from seat_steps(actor, session)
    people = yield from people_steps(session.id)
    stories = yield from stories_steps(session.id)
    voted: dict[str, list[int]] = defaultdict(list)
    for vote in (yield sql.stmt(_VOTED, str(session.id))):
        voted[str(vote["story_id"])].append(vote["participant_id"])
    my_vote = None
    if viewer is not None and session.current_story_id is not None:
        mine = yield sql.stmt(_MY_VOTE, str(session.current_story_id), viewer.id)
        my_vote = mine[0]["value"] if mine else None
    return _Read(
        session=session,
        viewer=viewer,
        seq=int(found[0]["room_seq"] or 0),
        people=people,
        stories=stories,
        voted=voted,
        my_vote=my_vote,
    )


async def read(code: str, actor: Actor) -> tuple[PokerSession, dict[str, Any] | None]:
    """The session with this code, and the snapshot as `actor` sees it, or None when
    `actor` has no seat there. A code a client sent is judged as `session_by_code` does."""
    canonical = normalize(code)
    found = await group_commit.read(lambda: _reads(canonical, actor)) if canonical else None
    await judge_lookup(found=found is not None, well_formed=canonical is not None)
    if found is None:
        raise NotFound("No session with that code")
    if found.viewer is None:
        return found.session, None
    return found.session, _render(found, found.viewer)


def _render(r: _Read, viewer: Participant) -> dict[str, Any]:
    session = r.session
    current_id = str(session.current_story_id) if session.current_story_id else None
    current_voters = set(r.voted.get(current_id or "", []))
    stories = [story_public(s, r.voted[str(s.id)]) for s in r.stories]
    current = next((s for s in stories if s["id"] == current_id), None)
    return {
        "seq": r.seq,
        "session": session_public(
            session,
            participants_count=len(r.people),
            moderator_id=next((p.id for p in r.people if p.role == MODERATOR), None),
            current_story=current,
        ),
        "participants": [participant_public(p, has_voted=p.id in current_voters) for p in r.people],
        "stories": stories,
        "me": {
            "participant_id": viewer.id,
            "name": viewer.name,
            "role": viewer.role,
            "can_vote": viewer.role != SPECTATOR,
            "vote": r.my_vote,
        },
    }
