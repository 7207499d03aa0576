"""The public shapes of sessions, participants and stories, and the room snapshot.

Vote values appear only in revealed results and in the viewer's own `me.vote`:
the rule that keeps votes hidden is written here, once.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from models import Participant, PokerSession, Story, Vote
from services.events import current_seq
from services.poker.access import MODERATOR, SPECTATOR, room_key
from services.timefmt import iso


def participant_public(p: Participant, *, has_voted: bool = False) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "role": p.role,
        "kind": "user" if p.user_id is not None else "guest",
        "has_voted": has_voted,
    }


def story_public(story: Story, voted: list[int]) -> dict[str, Any]:
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
        "participants_count": participants_count,
        "moderator_id": moderator_id,
        "current_story_id": str(session.current_story_id) if session.current_story_id else None,
        "current_story": current_story,
        "timer_ends_at": iso(session.timer_ends_at),
        "created_at": iso(session.created_at),
        "updated_at": iso(session.updated_at),
    }


async def voted_by_story(story_ids: list[Any]) -> dict[str, list[int]]:
    voted: dict[str, list[int]] = defaultdict(list)
    if story_ids:
        rows = (
            await Vote.filter(story_id__in=story_ids)
            .order_by("id")
            .values_list("story_id", "participant_id")
        )
        for story_id, participant_id in rows:
            voted[str(story_id)].append(participant_id)
    return voted


async def active_participants(session: PokerSession) -> list[Participant]:
    return await Participant.filter(session_id=session.id, removed_at=None).order_by("id")


async def render_session(session: PokerSession) -> dict[str, Any]:
    """The session as REST shows it, with its current story (values hidden until reveal)."""
    return (await render_sessions([session]))[0]


async def render_sessions(sessions: list[PokerSession]) -> list[dict[str, Any]]:
    """Render many sessions with three queries in all, whatever their number."""
    if not sessions:
        return []
    people: dict[Any, list[Participant]] = defaultdict(list)
    for p in await Participant.filter(
        session_id__in=[s.id for s in sessions], removed_at=None
    ).order_by("id"):
        people[p.session_id].append(p)
    current_ids = [s.current_story_id for s in sessions if s.current_story_id]
    stories = {s.id: s for s in await Story.filter(id__in=current_ids)} if current_ids else {}
    voted = await voted_by_story(list(stories))
    rendered = []
    for session in sessions:
        participants = people[session.id]
        story = stories.get(session.current_story_id) if session.current_story_id else None
        rendered.append(
            session_public(
                session,
                participants_count=len(participants),
                moderator_id=next((p.id for p in participants if p.role == MODERATOR), None),
                current_story=story_public(story, voted[str(story.id)]) if story else None,
            )
        )
    return rendered


async def snapshot(session: PokerSession, viewer: Participant | None) -> dict[str, Any]:
    """Everything a client needs to draw the room, as seen by `viewer`, with its seq."""
    seq = await current_seq(room_key(session.code))
    participants = await active_participants(session)
    stories = await Story.filter(session_id=session.id).order_by("position", "created_at")
    voted = await voted_by_story([s.id for s in stories])
    current_id = str(session.current_story_id) if session.current_story_id else None
    current_voters = set(voted.get(current_id or "", []))
    rendered_stories = [story_public(s, voted[str(s.id)]) for s in stories]
    current = next((s for s in rendered_stories if s["id"] == current_id), None)
    my_vote = None
    if viewer is not None and current_id is not None:
        mine = await Vote.filter(story_id=current_id, participant_id=viewer.id).first()
        my_vote = mine.value if mine else None
    return {
        "seq": seq,
        "session": session_public(
            session,
            participants_count=len(participants),
            moderator_id=next((p.id for p in participants if p.role == MODERATOR), None),
            current_story=current,
        ),
        "participants": [
            participant_public(p, has_voted=p.id in current_voters) for p in participants
        ],
        "stories": rendered_stories,
        "me": None
        if viewer is None
        else {
            "participant_id": viewer.id,
            "name": viewer.name,
            "role": viewer.role,
            "can_vote": viewer.role != SPECTATOR,
            "vote": my_vote,
        },
    }
