"""Finding a session by code and the caller's place in it. Every lookup is scoped here."""

from __future__ import annotations

import uuid
from typing import Any

from models import Participant, PokerSession, Story
from services.actors import Actor
from services.errors import Conflict, Forbidden, NotFound, Unauthorized
from services.events import UnitOfWork
from services.poker.codes import normalize

MODERATOR, PARTICIPANT, SPECTATOR = "moderator", "participant", "spectator"


def room_key(code: str) -> str:
    return f"poker:{code}"


async def session_by_code(code: str) -> PokerSession:
    canonical = normalize(code)
    session = await PokerSession.filter(code=canonical).first() if canonical else None
    if session is None:
        raise NotFound("No session with that code")
    return session


async def locked_session(uow: UnitOfWork, code: str) -> PokerSession:
    """Take the room's lock, then read the session, so the read cannot be stale."""
    canonical = normalize(code)
    if canonical is None:
        raise NotFound("No session with that code")
    await uow.lock(room_key(canonical))
    return await session_by_code(canonical)


async def code_of_story(story_id: Any) -> str:
    """The join code of the session a story belongs to, for edges that name only the story."""
    try:
        sid = uuid.UUID(str(story_id))
    except ValueError:
        raise NotFound("No such story") from None
    story = await Story.filter(id=sid).select_related("session").first()
    if story is None:
        raise NotFound("No such story")
    return str(story.session.code)


def require_owner(actor: Actor, session: PokerSession) -> None:
    if actor.user_id is None or actor.user_id != session.owner_id:
        raise Forbidden("Only the session's owner can do this")


def require_open(session: PokerSession) -> None:
    if session.status == "archived":
        raise Conflict("This session is archived")
    if session.status != "active":
        raise Conflict(f"This session is {session.status}")


async def participant_of(actor: Actor, session: PokerSession) -> Participant | None:
    """The caller's participant in this session, if they have one."""
    if actor.kind == "guest":
        if actor.session_id != session.id:
            raise Forbidden("This guest token belongs to another session")
        p = await Participant.filter(id=actor.participant_id).first()
        if p is None or p.removed_at is not None:
            raise Unauthorized("You were removed from this session")
        return p
    if actor.user_id is None:
        return None
    return await Participant.filter(
        session_id=session.id, user_id=actor.user_id, removed_at=None
    ).first()


async def require_participant(actor: Actor, session: PokerSession) -> Participant:
    p = await participant_of(actor, session)
    if p is None:
        raise Forbidden("Join the session first")
    return p


async def require_moderator(actor: Actor, session: PokerSession) -> Participant | None:
    """The moderator, or the owner, who keeps every right in their own session."""
    if actor.user_id is not None and actor.user_id == session.owner_id:
        return await participant_of(actor, session)
    p = await participant_of(actor, session)
    if p is None or p.role != MODERATOR:
        raise Forbidden("Only the moderator can do this")
    return p
