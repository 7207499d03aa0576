"""The public shapes of sessions, participants and stories, and the room snapshot.

Vote values appear only in revealed results and in the viewer's own `me.vote`:
the rule that keeps votes hidden is written here, once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, NamedTuple

from models import Participant, PokerSession, Story
from services import group_commit, sql
from services.poker.access import MODERATOR
from services.timefmt import iso


class Seat(NamedTuple):
    """A participant as a room lists it: what `participant_public` reads, from its row.
    A room's people are read on every connect; a model of each cost more than the read
    (about 6 µs a seat on SQLite, half a 20-seat snapshot's time in SQLite's thread)."""

    id: int
    name: str
    role: str
    user_id: Any


_PEOPLE = """
SELECT id, name, role, user_id FROM participants WHERE session_id = ? AND removed_at IS NULL
ORDER BY id
"""


def people_steps(session_id: Any) -> sql.Steps[list[Seat]]:
    """The session's seated participants, in the order they joined."""
    rows = yield sql.stmt(_PEOPLE, str(session_id))
    return [Seat(r["id"], r["name"], r["role"], r["user_id"]) for r in rows]


def participant_public(p: Participant | Seat, *, has_voted: bool = False) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "role": p.role,
        "kind": "user" if p.user_id is not None else "guest",
        "has_voted": has_voted,
    }


class StoryRow(NamedTuple):
    """A story as a room lists it: what `story_public` reads, from its row. A session's
    stories are read on every connect; a model of each cost 11 µs on SQLite."""

    id: Any
    title: str
    description: str
    acceptance_criteria: str
    status: str
    position: int
    round: int
    final_estimate: str | None
    result: dict[str, Any] | None
    history: list[dict[str, Any]]
    created_at: datetime | None
    revealed_at: datetime | None

    @classmethod
    def of(cls, r: dict[str, Any]) -> StoryRow:
        return cls(
            r["id"],
            r["title"],
            r["description"],
            r["acceptance_criteria"],
            r["status"],
            r["position"],
            r["round"],
            r["final_estimate"],
            sql.json_value(r["result"]),
            sql.json_value(r["history"]),
            sql.datetime_value(r["created_at"]),
            sql.datetime_value(r["revealed_at"]),
        )


_SESSION_STORIES = """
SELECT id, title, description, acceptance_criteria, status, position, round, final_estimate,
result, history, created_at, revealed_at
FROM stories WHERE session_id = ? ORDER BY position, created_at
"""


def stories_steps(session_id: Any) -> sql.Steps[list[StoryRow]]:
    """The session's stories, in the order the room lists them."""
    return [StoryRow.of(r) for r in (yield sql.stmt(_SESSION_STORIES, str(session_id)))]


def story_public(story: Story | StoryRow, voted: list[int]) -> dict[str, Any]:
    revealed = story.status == "revealed" and story.result is not None
    result = story.result or {}
    return {
        "id": str(story.id),
        "title": story.title,
        "description": story.description,
        "acceptance_criteria": story.acceptance_criteria,
        "status": story.status,
        "position": story.position,
        "round": story.round,
        "votes_cast": len(voted),
        "voted": voted,
        "final_estimate": story.final_estimate,
        "votes": result.get("votes") if revealed else None,
        "stats": result.get("stats") if revealed else None,
        "distribution": result.get("distribution") if revealed else None,
        "history": story.history,
        "created_at": iso(story.created_at),
        "revealed_at": iso(story.revealed_at),
    }


def session_public(
    session: PokerSession,
    *,
    participants_count: int,
    moderator_id: int | None,
    current_story: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "id": str(session.id),
        "code": session.code,
        "name": session.name,
        "description": session.description,
        "status": session.status,
        "folder_id": session.folder_id,
        "owner_id": str(session.owner_id),
        "voting_system": session.voting_system,
        "custom_deck_name": session.custom_deck_name,
        "deck": session.deck,
        "record_vote_names": session.record_vote_names,
        "async_voting_enabled": session.async_voting_enabled,
        "auto_reveal": session.auto_reveal,
        "timer_seconds": session.timer_seconds,
        "participants_count": participants_count,
        "moderator_id": moderator_id,
        "current_story_id": str(session.current_story_id) if session.current_story_id else None,
        "current_story": current_story,
        "timer_ends_at": iso(session.timer_ends_at),
        "created_at": iso(session.created_at),
        "updated_at": iso(session.updated_at),
    }


# Who voted on each story, in the order they first voted; plain SQL, since a join into
# a room of a thousand voters renders all thousand, and the ORM's decoding of each row
# cost more than the read.
_VOTED = "SELECT story_id, participant_id FROM votes WHERE story_id IN ({marks}) ORDER BY id"
_PER_READ = sql.IN_PER_READ


def voted_steps(story_ids: list[Any]) -> sql.Steps[dict[str, list[int]]]:
    """The seats that have voted on each of `story_ids`, by story id."""
    voted: dict[str, list[int]] = defaultdict(list)
    for row in (yield from sql.in_chunks(_VOTED, [str(s) for s in story_ids])):
        voted[str(row["story_id"])].append(int(row["participant_id"]))
    return voted


async def voted_by_story(story_ids: list[Any]) -> dict[str, list[int]]:
    """`voted_steps`, read on its own."""
    return await group_commit.read(lambda: voted_steps(story_ids))


_SEATS = """
SELECT session_id, COUNT(*) AS seated, MIN(CASE WHEN role = ? THEN id END) AS moderator
FROM participants WHERE removed_at IS NULL AND session_id IN ({marks}) GROUP BY session_id
"""
_STORIES = "SELECT * FROM stories WHERE id IN ({marks})"


def sessions_rendered(sessions: list[PokerSession]) -> sql.Steps[list[dict[str, Any]]]:
    """Sessions as REST shows them, each with its current story (values hidden until the
    reveal), in three reads per 500 sessions, whatever their size."""
    rendered: list[dict[str, Any]] = []
    for at in range(0, len(sessions), _PER_READ):
        rendered += yield from _rendered(sessions[at : at + _PER_READ])
    return rendered


def _rendered(sessions: list[PokerSession]) -> sql.Steps[list[dict[str, Any]]]:
    # How many are seated and who moderates, counted by the database: a join into a room
    # of a thousand guests read all thousand seats to render the session.
    ids = [str(s.id) for s in sessions]
    seats = {
        str(row["session_id"]): row
        for row in (yield sql.stmt(_SEATS.format(marks=sql.marks(ids)), MODERATOR, *ids))
    }
    current = [str(s.current_story_id) for s in sessions if s.current_story_id]
    stories: dict[str, Story] = {}
    if current:
        for row in (yield sql.stmt(_STORIES.format(marks=sql.marks(current)), *current)):
            found = Story._init_from_db(**row)
            stories[str(found.id)] = found
    voted = yield from voted_steps(list(stories))
    rendered = []
    for session in sessions:
        seated = seats.get(str(session.id), {})
        story = stories.get(str(session.current_story_id)) if session.current_story_id else None
        rendered.append(
            session_public(
                session,
                participants_count=int(seated.get("seated") or 0),
                moderator_id=seated.get("moderator"),
                current_story=story_public(story, voted[str(story.id)]) if story else None,
            )
        )
    return rendered


async def render_session(session: PokerSession) -> dict[str, Any]:
    """The session as REST shows it, with its current story (values hidden until reveal)."""
    return (await render_sessions([session]))[0]


async def render_sessions(sessions: list[PokerSession]) -> list[dict[str, Any]]:
    """`sessions_rendered`, read on its own."""
    if not sessions:
        return []
    return await group_commit.read(lambda: sessions_rendered(sessions))
