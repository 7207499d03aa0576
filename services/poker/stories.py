"""The story queue: adding stories, choosing the current one, timers (a round's reveal
and restart: services/poker/rounds.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.functions import Max

from models import PokerSession, Story
from services import group_commit, sql
from services.actors import Actor
from services.errors import Invalid, NotFound
from services.events import UnitOfWork, unit_of_work
from services.poker.access import (
    code_of_story,
    locked_session,
    moderated_steps,
    require_moderator,
    require_open,
    room_key,
    session_by_code,
    transact_judged,
)
from services.poker.views import stories_steps, story_public, voted_steps
from services.timefmt import iso

MIN_TIMER, MAX_TIMER = 5, 3600
# The longest a story's title, and its description or acceptance criteria, may be.
TITLE_MAX, TEXT_MAX = 500, 5000


_STORY = "SELECT * FROM stories WHERE id = ? AND session_id = ?"
_LEFT = "UPDATE stories SET status = 'pending' WHERE id = ? AND status = 'voting'"
_OPENED = "UPDATE stories SET status = 'voting' WHERE id = ?"
_CURRENT = """
UPDATE poker_sessions SET current_story_id = ?, timer_ends_at = NULL, updated_at = ?
WHERE id = ?
"""


def story_steps(session: PokerSession, story_id: Any) -> sql.Steps[Story]:
    """A story of this session; any other id is simply not found."""
    try:
        sid = uuid.UUID(str(story_id))
    except ValueError:
        raise NotFound("No such story in this session") from None
    found = yield sql.stmt(_STORY, str(sid), str(session.id))
    if not found:
        raise NotFound("No such story in this session")
    return Story._init_from_db(**found[0])


async def story_in(session: PokerSession, story_id: Any) -> Story:
    """`story_steps`, read on its own (in the transaction, inside one)."""
    return await group_commit.read(lambda: story_steps(session, story_id))


def made_current(
    uow: UnitOfWork, room: str, seq: int, session: PokerSession, story: Story, actor: Actor | None
) -> sql.Steps[dict[str, Any]]:
    """Make `story` the session's current one, with the room's seq `seq` claimed."""
    if session.current_story_id and session.current_story_id != story.id:
        # The story we leave keeps its votes (async voting) but is no longer open.
        yield sql.stmt(_LEFT, str(session.current_story_id))
    if story.status == "pending":
        story.status = "voting"
        yield sql.stmt(_OPENED, str(story.id))
    session.current_story_id = story.id
    session.timer_ends_at = None
    session.updated_at = sql.now()
    yield sql.stmt(_CURRENT, str(story.id), session.updated_at, str(session.id))
    voted = yield from voted_steps([story.id])
    rendered = story_public(story, voted[str(story.id)])
    data = {"story_id": str(story.id), "story": rendered}
    yield from uow.append_steps(room, seq, "story_started", data, actor)
    return rendered


async def next_position(session: PokerSession) -> int:
    """The position after the last story of the queue."""
    last = (
        await Story.filter(session_id=session.id)
        .annotate(top=Max("position"))
        .first()
        .values("top")
    )
    return (last["top"] or 0) + 1 if last else 1


async def queue_story(
    uow: UnitOfWork,
    session: PokerSession,
    actor: Actor | None,
    *,
    title: str,
    description: str = "",
    acceptance_criteria: str = "",
    position: int,
) -> tuple[Story, dict[str, Any]]:
    """Add a story to a locked, open session and tell the room; a new story becomes
    current when none is. The story, and its public form as the caller should show it."""
    story = await Story.create(
        session=session,
        title=title,
        description=description,
        acceptance_criteria=acceptance_criteria,
        position=position,
    )
    rendered = story_public(story, [])
    await uow.emit(room_key(session.code), "story_added", {"story": rendered}, actor)
    if session.current_story_id is None:
        room = room_key(session.code)
        seq = await uow.claim(room)
        rendered = await sql.drive(made_current(uow, room, seq, session, story, actor))
    return story, rendered


async def add_story(
    *, actor: Actor, code: str, title: str, description: str = "", acceptance_criteria: str = ""
) -> dict[str, Any]:
    draft = {
        "title": title,
        "description": description,
        "acceptance_criteria": acceptance_criteria,
    }
    return (await add_stories(actor=actor, code=code, drafts=[draft]))[0]


async def add_stories(
    *, actor: Actor, code: str, drafts: list[dict[str, str]]
) -> list[dict[str, Any]]:
    """Append stories to the queue in one transaction: all of them, or none. Each draft
    has a title, and may have a description and acceptance criteria."""
    async with unit_of_work() as uow:
        session = await locked_session(uow, code)
        require_open(session)
        await require_moderator(actor, session)
        position = await next_position(session)
        added = []
        for offset, draft in enumerate(drafts):
            _, rendered = await queue_story(
                uow,
                session,
                actor,
                title=draft["title"],
                description=draft.get("description", ""),
                acceptance_criteria=draft.get("acceptance_criteria", ""),
                position=position + offset,
            )
            added.append(rendered)
    return added


async def start_story(*, actor: Actor, code: str | None = None, story_id: Any) -> dict[str, Any]:
    """Make a story the current one (moderator only); `code` may be left to the story.
    Written as steps, like a vote: a moderator starts every story of a session."""
    if code is None:
        code = await code_of_story(story_id)
    return await transact_judged(
        code, lambda uow, canonical: _start(uow, canonical, actor, story_id)
    )


def _start(uow: UnitOfWork, code: str, actor: Actor, story_id: Any) -> sql.Steps[dict[str, Any]]:
    room, seq, session = yield from moderated_steps(uow, code, actor)
    story = yield from story_steps(session, story_id)
    return (yield from made_current(uow, room, seq, session, story, actor))


async def list_stories(*, session: PokerSession) -> list[dict[str, Any]]:
    def listed() -> sql.Steps[list[dict[str, Any]]]:
        found = yield from stories_steps(session.id)
        voted = yield from voted_steps([s.id for s in found])
        return [story_public(s, voted[str(s.id)]) for s in found]

    # Rows, as the room's snapshot reads them: a session may hold hundreds of stories.
    return await group_commit.read(listed)


async def list_session_stories(*, code: str) -> list[dict[str, Any]]:
    """The stories of the session with this code; the code is the invitation."""
    return await list_stories(session=await session_by_code(code))


async def start_timer(*, actor: Actor, code: str, seconds: int) -> dict[str, Any]:
    if not MIN_TIMER <= seconds <= MAX_TIMER:
        raise Invalid(
            f"seconds must be between {MIN_TIMER} and {MAX_TIMER}",
            details={"errors": {"seconds": ["out of range"]}},
        )
    async with unit_of_work() as uow:
        session = await locked_session(uow, code)
        require_open(session)
        await require_moderator(actor, session)
        session.timer_ends_at = datetime.now(UTC) + timedelta(seconds=seconds)
        await session.save()
        data = {
            "seconds": seconds,
            "ends_at": iso(session.timer_ends_at),
        }
        await uow.emit(room_key(session.code), "timer_started", data, actor)
    return data
