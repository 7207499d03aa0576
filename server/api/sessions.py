"""REST for planning-poker sessions: create, list, read, change, join, hand over, kick."""

from __future__ import annotations

import functools
from typing import Any

from server.api.poker_schemas import (
    JoinRequest,
    JoinResponse,
    MessageResponse,
    ModeratorRequest,
    ParticipantListResponse,
    SessionCreate,
    SessionListQuery,
    SessionListResponse,
    SessionResponse,
    SessionUpdate,
    path_id,
)
from server.api.routing import Api, Call, Handler
from services.poker import access, seats, sessions
from services.scopes import POKER_READ, POKER_WRITE

api = Api("poker-sessions")


def code_checked(handler: Handler) -> Handler:
    """For routes named by a join code: the service's own lookup of that code is guarded
    against guessing, on behalf of this client and caller."""

    @functools.wraps(handler)
    async def run(call: Call) -> Any:
        client = call.request.client
        with access.guarding_codes(client=client.host if client else None, actor=call.actor):
            return await handler(call)

    return run


@api.route(
    "POST",
    "/sessions",
    summary="Create a planning session; its join code is generated",
    body=SessionCreate,
    response=SessionResponse,
    status=201,
    scope=POKER_WRITE,
    errors=(404, 409),
)
async def create_session(call: Call) -> Any:
    body: SessionCreate = call.body
    session = await sessions.create_session(actor=call.user, **body.model_dump())
    return {"success": True, "session": session}


@api.route(
    "GET",
    "/sessions",
    summary="List your sessions, paginated",
    query=SessionListQuery,
    response=SessionListResponse,
    scope=POKER_READ,
)
async def list_sessions(call: Call) -> Any:
    query: SessionListQuery = call.query
    page = await sessions.list_sessions(actor=call.user, **query.model_dump())
    return {"success": True, "data": page.items, "meta": page.meta()}


@api.route(
    "GET",
    "/sessions/{code}",
    summary="Get a session by its join code",
    response=SessionResponse,
    auth="optional",
    scope=POKER_READ,
    errors=(401, 403, 404),
)
@code_checked
async def get_session(call: Call) -> Any:
    return {"success": True, "session": await sessions.get_session(code=call.path["code"])}


@api.route(
    "PATCH",
    "/sessions/{code}",
    summary="Change a session (owner only); {status: archived | active} archives or restores it",
    body=SessionUpdate,
    response=SessionResponse,
    scope=POKER_WRITE,
    errors=(404,),
)
@code_checked
async def update_session(call: Call) -> Any:
    body: SessionUpdate = call.body
    session = await sessions.update_session(
        actor=call.user, code=call.path["code"], changes=body.model_dump(exclude_unset=True)
    )
    return {"success": True, "session": session}


@api.route(
    "POST",
    "/sessions/{code}/join",
    summary="Join a session: as a guest (a token is returned) or as the signed-in user",
    body=JoinRequest,
    response=JoinResponse,
    auth="optional",
    scope=POKER_WRITE,
    errors=(401, 403, 404, 409),
)
@code_checked
async def join_session(call: Call) -> Any:
    body: JoinRequest = call.body
    participant, session, token = await seats.join_session(
        actor=call.actor, code=call.path["code"], name=body.name, spectator=body.spectator
    )
    return {"success": True, "participant": participant, "session": session, "token": token}


@api.route(
    "GET",
    "/sessions/{code}/participants",
    summary="List the people in a session",
    response=ParticipantListResponse,
    auth="optional",
    scope=POKER_READ,
    errors=(401, 403, 404),
)
@code_checked
async def list_participants(call: Call) -> Any:
    people = await sessions.list_participants(code=call.path["code"])
    return {"success": True, "participants": people}


@api.route(
    "POST",
    "/sessions/{code}/moderator",
    summary="Hand the moderator role to another participant (moderator or owner)",
    body=ModeratorRequest,
    response=SessionResponse,
    auth="any",
    scope=POKER_WRITE,
    errors=(404,),
)
@code_checked
async def set_moderator(call: Call) -> Any:
    body: ModeratorRequest = call.body
    session = await sessions.set_moderator(
        actor=call.user, code=call.path["code"], participant_id=body.participant_id
    )
    return {"success": True, "session": session}


@api.route(
    "DELETE",
    "/sessions/{code}/participants/{participant_id}",
    summary="Remove a participant (moderator or owner); a guest's token stops working",
    response=MessageResponse,
    auth="any",
    scope=POKER_WRITE,
    errors=(404,),
)
@code_checked
async def remove_participant(call: Call) -> Any:
    participant_id = path_id(call.path["participant_id"], "No such participant in this session")
    await sessions.remove_participant(
        actor=call.user, code=call.path["code"], participant_id=participant_id
    )
    return {"success": True, "message": "Participant removed"}
