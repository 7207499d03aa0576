"""REST for the room's play: votes, stories, reveal, new rounds and the timer.

Guests act with the token join gave them; users with their JWT or PAT. Either
way the identity comes from the token, never from the body.
"""

from __future__ import annotations

from typing import Any

from server.api.poker_schemas import (
    RetractQuery,
    RetractResponse,
    StoryCreate,
    StoryListResponse,
    StoryResponse,
    TimerRequest,
    TimerResponse,
    VoteRequest,
    VoteResponse,
)
from server.api.routing import Api, Call
from server.api.sessions import code_checked
from services.poker import rounds, stories, voting
from services.scopes import POKER_READ, POKER_WRITE

api = Api("poker-voting")


@api.route(
    "POST",
    "/sessions/{code}/vote",
    summary="Cast or change your vote on the current story (or a queued one with async voting)",
    body=VoteRequest,
    response=VoteResponse,
    auth="any",
    scope=POKER_WRITE,
    errors=(404, 409),
)
@code_checked
async def cast_vote(call: Call) -> Any:
    body: VoteRequest = call.body
    result = await voting.cast_vote(
        actor=call.user,
        code=call.path["code"],
        value=body.vote,
        participant_id=body.participant_id,
        story_id=body.story_id,
    )
    return {"success": True, **result}


@api.route(
    "DELETE",
    "/sessions/{code}/vote",
    summary="Take back your vote before the reveal",
    query=RetractQuery,
    response=RetractResponse,
    auth="any",
    scope=POKER_WRITE,
    errors=(404, 409),
)
@code_checked
async def retract_vote(call: Call) -> Any:
    query: RetractQuery = call.query
    result = await voting.retract_vote(
        actor=call.user, code=call.path["code"], story_id=query.story_id
    )
    return {"success": True, **result}


@api.route(
    "POST",
    "/sessions/{code}/stories",
    summary="Add a story (moderator); the first one becomes current",
    body=StoryCreate,
    response=StoryResponse,
    status=201,
    auth="any",
    scope=POKER_WRITE,
    errors=(404, 409),
)
@code_checked
async def add_story(call: Call) -> Any:
    body: StoryCreate = call.body
    story = await stories.add_story(actor=call.user, code=call.path["code"], **body.model_dump())
    return {"success": True, "story": story}


@api.route(
    "GET",
    "/sessions/{code}/stories",
    summary="List a session's stories in order; vote values appear only once revealed",
    response=StoryListResponse,
    auth="optional",
    scope=POKER_READ,
    errors=(401, 403, 404),
)
@code_checked
async def list_stories(call: Call) -> Any:
    rows = await stories.list_session_stories(code=call.path["code"])
    return {"success": True, "stories": rows}


@api.route(
    "POST",
    "/stories/{story}/start",
    summary="Make a story the current one (moderator)",
    response=StoryResponse,
    auth="any",
    scope=POKER_WRITE,
    errors=(404, 409),
)
async def start_story(call: Call) -> Any:
    story = await stories.start_story(actor=call.user, story_id=call.path["story"])
    return {"success": True, "story": story}


@api.route(
    "POST",
    "/stories/{story}/reveal",
    summary="Reveal the votes and compute consensus and statistics (moderator)",
    response=StoryResponse,
    auth="any",
    scope=POKER_WRITE,
    errors=(404, 409),
)
async def reveal(call: Call) -> Any:
    story = await rounds.reveal(actor=call.user, story_id=call.path["story"])
    return {"success": True, "story": story}


@api.route(
    "POST",
    "/sessions/{code}/restart",
    summary="Vote again on the current story; the earlier result goes to its history",
    response=StoryResponse,
    auth="any",
    scope=POKER_WRITE,
    errors=(404, 409),
)
@code_checked
async def restart_round(call: Call) -> Any:
    story = await rounds.restart_round(actor=call.user, code=call.path["code"])
    return {"success": True, "story": story}


@api.route(
    "POST",
    "/sessions/{code}/timer",
    summary="Start a countdown for the room (moderator)",
    body=TimerRequest,
    response=TimerResponse,
    auth="any",
    scope=POKER_WRITE,
    errors=(404, 409),
)
@code_checked
async def start_timer(call: Call) -> Any:
    body: TimerRequest = call.body
    timer = await stories.start_timer(actor=call.user, code=call.path["code"], seconds=body.seconds)
    return {"success": True, "timer": timer}
