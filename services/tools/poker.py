"""Planning-poker tools: sessions, stories, votes and their analytics, through the same
services as the REST routes and the /poker socket. Values stay hidden until the reveal
here too: the session is rendered as every other face renders it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.actors import Actor
from services.poker import access, analytics, rounds, seats, sessions, stories, voting
from services.poker.decks import MAX_VALUE_LENGTH
from services.scopes import POKER_READ, POKER_WRITE
from services.tools import outputs
from services.tools.registry import tool

Code = Field(min_length=6, max_length=6, pattern=r"^[A-Za-z0-9]{6}$", description="Join code")
MAX_STORIES = 50


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListSessions(_Args):
    status: Literal["active", "archived"] | None = Field(None, description="Only these")
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(15, ge=1, le=100)


class SessionCode(_Args):
    code: str = Code


class StoryIn(_Args):
    title: str = Field(min_length=1, max_length=stories.TITLE_MAX)
    description: str = Field("", max_length=stories.TEXT_MAX)
    acceptance_criteria: str = Field("", max_length=stories.TEXT_MAX)


class CreateSession(_Args):
    name: str = Field(min_length=1, max_length=sessions.SESSION_NAME_MAX)
    description: str = Field("", max_length=sessions.DESCRIPTION_MAX)
    voting_system: Literal["fibonacci", "tshirt"] | None = Field(
        None, description="Left out: the workspace default"
    )
    stories: list[StoryIn] = Field(default_factory=list, max_length=MAX_STORIES)


class AddStories(_Args):
    code: str = Code
    stories: list[StoryIn] = Field(min_length=1, max_length=MAX_STORIES)


class StartStory(_Args):
    code: str = Code
    story_id: str = Field(min_length=1, max_length=64, description="The story's id")


class CastVote(_Args):
    code: str = Code
    value: str = Field(min_length=1, max_length=MAX_VALUE_LENGTH, description="A card of the deck")


@contextlib.contextmanager
def _by_code(actor: Actor) -> Iterator[None]:
    # A code an agent sends is a guess like any other: failed lookups count against it.
    with access.guarding_codes(client=None, actor=actor):
        yield


@tool(
    "list_my_sessions",
    title="List my planning sessions",
    description="The planning-poker sessions you own, newest first, a page at a time.",
    input=ListSessions,
    scope=POKER_READ,
    output=outputs.Sessions,
)
async def list_my_sessions(actor: Actor, args: ListSessions) -> dict[str, Any]:
    page = await sessions.list_sessions(
        actor=actor, status=args.status, page=args.page, per_page=args.per_page
    )
    return {"sessions": page.items, "meta": page.meta()}


@tool(
    "get_session",
    title="Get a planning session",
    description="A session by its join code: its settings and people, and its stories with "
    "who has voted on each. "
    "Vote values appear only once a story is revealed.",
    input=SessionCode,
    scope=POKER_READ,
    output=outputs.SessionWithStories,
)
async def get_session(actor: Actor, args: SessionCode) -> dict[str, Any]:
    with _by_code(actor):
        session = await sessions.get_session(code=args.code)
    return {"session": session, "stories": await stories.list_session_stories(code=args.code)}


@tool(
    "list_participants",
    title="List a session's participants",
    description="Who is in the session, their role, and whether they voted on the current story.",
    input=SessionCode,
    scope=POKER_READ,
    output=outputs.Participants,
)
async def list_participants(actor: Actor, args: SessionCode) -> dict[str, Any]:
    with _by_code(actor):
        return {"participants": await sessions.list_participants(code=args.code)}


@tool(
    "create_session",
    title="Create a planning session",
    description="A new session you own, with optional stories; settings you leave out come "
    "from your workspace defaults. Answers the session with its join code.",
    input=CreateSession,
    scope=POKER_WRITE,
    output=outputs.SessionWithStories,
    writes=True,
)
async def create_session(actor: Actor, args: CreateSession) -> dict[str, Any]:
    drafts = [sessions.StoryDraft(**s.model_dump()) for s in args.stories]
    created = await sessions.create_session(
        actor=actor,
        name=args.name,
        description=args.description,
        voting_system=args.voting_system,
        stories=drafts,
    )
    return {"session": created, "stories": await stories.list_session_stories(code=created["code"])}


@tool(
    "add_stories",
    title="Add stories to a session",
    description="Append stories to a session's queue (its moderator only).",
    input=AddStories,
    scope=POKER_WRITE,
    output=outputs.Stories,
    writes=True,
)
async def add_stories(actor: Actor, args: AddStories) -> dict[str, Any]:
    drafts = [story.model_dump() for story in args.stories]
    with _by_code(actor):
        added = await stories.add_stories(actor=actor, code=args.code, drafts=drafts)
    return {"stories": added}


@tool(
    "start_story",
    title="Start voting on a story",
    description="Make a story the current one, open for votes (moderator only).",
    input=StartStory,
    scope=POKER_WRITE,
    output=outputs.OneStory,
    writes=True,
)
async def start_story(actor: Actor, args: StartStory) -> dict[str, Any]:
    with _by_code(actor):
        return {
            "story": await stories.start_story(actor=actor, code=args.code, story_id=args.story_id)
        }


@tool(
    "cast_vote",
    title="Cast a vote",
    description="Vote on the current story as yourself (the token's own seat in the session; "
    "join it first). Others see only that you voted until the reveal.",
    input=CastVote,
    scope=POKER_WRITE,
    output=outputs.Vote,
    writes=True,
)
async def cast_vote(actor: Actor, args: CastVote) -> dict[str, Any]:
    with _by_code(actor):
        return await voting.cast_vote(actor=actor, code=args.code, value=args.value)


@tool(
    "join_session",
    title="Join a session",
    description="Take your seat in a session as a voter, so that you can vote.",
    input=SessionCode,
    scope=POKER_WRITE,
    output=outputs.Seat,
    writes=True,
)
async def join_session(actor: Actor, args: SessionCode) -> dict[str, Any]:
    with _by_code(actor):
        participant, _, _ = await seats.join_session(actor=actor, code=args.code, name=None)
    return {"participant": participant}


@tool(
    "reveal",
    title="Reveal the votes",
    description="Reveal the current story's votes, with the statistics and the final "
    "estimate (moderator only).",
    input=SessionCode,
    scope=POKER_WRITE,
    output=outputs.OneStory,
    writes=True,
)
async def reveal(actor: Actor, args: SessionCode) -> dict[str, Any]:
    with _by_code(actor):
        return {"story": await rounds.reveal(actor=actor, code=args.code)}


@tool(
    "restart_round",
    title="Vote again",
    description="Start the current story's round again; the earlier result goes to its "
    "history (moderator only).",
    input=SessionCode,
    scope=POKER_WRITE,
    output=outputs.OneStory,
    writes=True,
)
async def restart_round(actor: Actor, args: SessionCode) -> dict[str, Any]:
    with _by_code(actor):
        return {"story": await rounds.restart_round(actor=actor, code=args.code)}


@tool(
    "get_analytics",
    title="Get a session's analytics",
    description="Per story the revealed figures, agreement, outliers and re-votes; per "
    "session the totals, distribution, agreement trend and participation.",
    input=SessionCode,
    scope=POKER_READ,
    output=outputs.Analytics,
)
async def get_analytics(actor: Actor, args: SessionCode) -> dict[str, Any]:
    with _by_code(actor):
        return {"analytics": await analytics.session_analytics(actor=actor, code=args.code)}
