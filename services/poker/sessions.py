"""Creating, listing and changing sessions; joining, handing over and removing people."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from models import Folder, Participant, PokerSession, Story, User, Vote
from services import group_commit, sql
from services.actors import Actor
from services.auth import require_user
from services.errors import Conflict, Forbidden, NotFound
from services.events import SessionCreated, unit_of_work
from services.poker import codes, workspace
from services.poker.access import (
    MODERATOR,
    PARTICIPANT,
    locked_session,
    require_moderator,
    require_owner,
    room_key,
    session_by_code,
)
from services.poker.decks import deck_for
from services.poker.seats import display_name
from services.poker.views import (
    Seat,
    participant_public,
    people_steps,
    render_session,
    render_sessions,
    voted_steps,
)
from services.poker.workspace import RoomSettings

STATUSES = ("active", "paused", "completed", "archived")
SORTS = ("created_at", "updated_at", "name")
_CODE_ATTEMPTS = 10
# A session's name and description: the longest each may be, on every face (REST, the
# /poker socket, agents' tools).
SESSION_NAME_MAX, DESCRIPTION_MAX = 200, 5000


async def _owned_folder(user_id: Any, folder_id: int | None) -> int | None:
    if folder_id is None:
        return None
    if not await Folder.filter(id=folder_id, owner_id=user_id).exists():
        raise NotFound("Folder not found")
    return folder_id


@dataclass(frozen=True)
class StoryDraft:
    """A story a new session starts with (from a template)."""

    title: str
    description: str = ""
    acceptance_criteria: str = ""


async def create_session(
    *,
    actor: Actor,
    name: str,
    description: str = "",
    folder_id: int | None = None,
    voting_system: str | None = None,
    custom_deck_name: str | None = None,
    custom_deck_values: list[str] | None = None,
    record_vote_names: bool | None = None,
    async_voting_enabled: bool | None = None,
    auto_reveal: bool | None = None,
    timer_seconds: int | None = None,
    base: RoomSettings | None = None,
    stories: Sequence[StoryDraft] = (),
) -> dict[str, Any]:
    """A new session owned by the caller. Settings left out (None) come from `base` (a
    template's), else from the caller's workspace defaults. The first of `stories`
    becomes current, as when they are added one by one."""
    user_id = require_user(actor)
    owner = await User.get(id=user_id)
    base = base or await workspace.defaults_for(user_id)
    settings = base.merged(
        {
            "voting_system": voting_system,
            "custom_deck_values": custom_deck_values,
            "record_vote_names": record_vote_names,
            "async_voting_enabled": async_voting_enabled,
            "auto_reveal": auto_reveal,
            "timer_seconds": timer_seconds,
        }
        | ({"custom_deck_name": custom_deck_name} if custom_deck_name is not None else {})
    )
    folder = await _owned_folder(user_id, folder_id)
    for _ in range(_CODE_ATTEMPTS):
        code = codes.new_code()
        try:
            async with unit_of_work() as uow:
                session = await PokerSession.create(
                    code=code,
                    name=name,
                    description=description,
                    owner_id=user_id,
                    folder_id=folder,
                    **settings.columns(),
                )
                await uow.lock(room_key(code), create=True)
                # The owner starts as the room's moderator.
                await Participant.create(
                    session=session,
                    user_id=user_id,
                    name=display_name(owner.name, owner.email),
                    role=MODERATOR,
                )
                await _queue_stories(session, stories)
                rendered = await render_session(session)
                uow.record(SessionCreated(code, user_id, actor, rendered))
            return rendered
        except IntegrityError:
            continue  # a code collision: draw again
    raise Conflict("Could not allocate a unique session code; try again")


async def _queue_stories(session: PokerSession, drafts: Sequence[StoryDraft]) -> None:
    """A new room's first stories, positions 1..n; the first is current. Nobody is in
    the room yet, so there is no one to tell."""
    for position, draft in enumerate(drafts, start=1):
        story = await Story.create(
            session=session,
            title=draft.title,
            description=draft.description,
            acceptance_criteria=draft.acceptance_criteria,
            position=position,
            status="voting" if position == 1 else "pending",
        )
        if position == 1:
            session.current_story_id = story.id
            await session.save(update_fields=["current_story_id"])


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    def meta(self) -> dict[str, int]:
        return {
            "current_page": self.page,
            "per_page": self.per_page,
            "total": self.total,
            "last_page": max(1, math.ceil(self.total / self.per_page)),
        }


async def list_sessions(
    *,
    actor: Actor,
    folder_id: int | None = None,
    status: str | None = None,
    sort: str = "created_at",
    order: str = "desc",
    page: int = 1,
    per_page: int = 15,
) -> Page:
    user_id = require_user(actor)
    query = PokerSession.filter(owner_id=user_id)
    if folder_id is not None:
        query = query.filter(folder_id=folder_id)
    if status is not None:
        query = query.filter(status=status)
    total = await query.count()
    ordering = sort if order == "asc" else f"-{sort}"
    rows = await query.order_by(ordering, "id").offset((page - 1) * per_page).limit(per_page)
    return Page(await render_sessions(list(rows)), total, page, per_page)


async def get_session(*, code: str) -> dict[str, Any]:
    """Anyone holding the code may look at the session: the code is the invitation."""
    return await render_session(await session_by_code(code))


async def update_session(*, actor: Actor, code: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply the fields present in `changes` (owner only); archive is status=archived."""
    async with unit_of_work() as uow:
        session = await locked_session(uow, code)
        require_owner(actor, session)
        if "folder_id" in changes:
            session.folder_id = await _owned_folder(actor.user_id, changes["folder_id"])
        for field in (
            "name",
            "description",
            "record_vote_names",
            "async_voting_enabled",
            "auto_reveal",
            "timer_seconds",
            "status",
        ):
            if field in changes and changes[field] is not None:
                setattr(session, field, changes[field])
        if "voting_system" in changes or "custom_deck_values" in changes:
            system = changes.get("voting_system") or session.voting_system
            values = changes.get("custom_deck_values")
            if system == "custom" and values is None and session.voting_system == "custom":
                values = session.deck
            session.deck = deck_for(system, values)
            session.voting_system = system
        if "custom_deck_name" in changes:
            session.custom_deck_name = changes["custom_deck_name"]
        await session.save()
        rendered = await render_session(session)
        await uow.emit(room_key(session.code), "session_updated", {"session": rendered}, actor)
    return rendered


async def list_participants(*, code: str) -> list[dict[str, Any]]:
    session = await session_by_code(code)
    people, voted = await group_commit.read(lambda: _seated_steps(session))
    return [participant_public(p, has_voted=p.id in voted) for p in people]


def _seated_steps(session: PokerSession) -> sql.Steps[tuple[list[Seat], set[int]]]:
    """The session's people, and which of them voted on its current story."""
    people = yield from people_steps(session.id)
    current = session.current_story_id
    if current is None:
        return people, set()
    return people, set((yield from voted_steps([current])).get(str(current), []))


async def set_moderator(*, actor: Actor, code: str, participant_id: int) -> dict[str, Any]:
    async with unit_of_work() as uow:
        session = await locked_session(uow, code)
        await require_moderator(actor, session)
        target = await Participant.filter(
            id=participant_id, session_id=session.id, removed_at=None
        ).first()
        if target is None:
            raise NotFound("No such participant in this session")
        await Participant.filter(session_id=session.id, role=MODERATOR).update(role=PARTICIPANT)
        target.role = MODERATOR
        await target.save()
        rendered = await render_session(session)
        await uow.emit(room_key(session.code), "session_updated", {"session": rendered}, actor)
    return rendered


async def remove_participant(*, actor: Actor, code: str, participant_id: int) -> None:
    """Kick someone: their guest token stops working, their open votes go."""
    async with unit_of_work() as uow:
        session = await locked_session(uow, code)
        await require_moderator(actor, session)
        target = await Participant.filter(
            id=participant_id, session_id=session.id, removed_at=None
        ).first()
        if target is None:
            raise NotFound("No such participant in this session")
        if target.user_id == session.owner_id:
            raise Forbidden("The owner cannot be removed from their own session")
        target.removed_at = datetime.now(UTC)
        target.token_hash = None
        await target.save()
        open_stories = Story.filter(session_id=session.id).exclude(status="revealed")
        await Vote.filter(
            participant_id=target.id, story_id__in=await open_stories.values_list("id", flat=True)
        ).delete()
        await uow.emit(
            room_key(session.code), "participant_left", {"participant_id": target.id}, actor
        )
