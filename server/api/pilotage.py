"""REST for a workspace's pilotage (seed 001, "Pilotage"): its state; missions,
priorities, todos, decisions and active documents; and proposed actions."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from server.api import pilotage_schemas as s
from server.api.routing import Api, Call
from server.api.shared import WS, Ok, ws_where
from services.pilotage import actions, items, state
from services.scopes import PILOTAGE_READ, PILOTAGE_WRITE, PROJECTS_WRITE

api = Api("pilotage")

PILOTAGE = WS + "/pilotage"


@api.route(
    "GET",
    PILOTAGE + "/state",
    summary="The workspace's pilotage state, shaped by profile and detail level",
    query=s.StateQuery,
    response=s.PilotageState,
    scope=PILOTAGE_READ,
    errors=(404,),
)
async def get_state(call: Call) -> Any:
    q: s.StateQuery = call.query
    return await state.pilotage_state(
        actor=call.user,
        **ws_where(call),
        profile=q.profile,
        intent=q.intent,
        detail_level=q.detail_level,
    )


def _items(
    kind: items.Kind,
    plural: str,
    id_name: str,
    create: type[s._Changes],
    update: type[s._Changes],
    public: type[BaseModel],
) -> None:
    """List, read, create, change and delete for one kind of item."""
    base = f"{PILOTAGE}/{plural}"
    one = f"{base}/{{{id_name}}}"

    async def list_(call: Call) -> Any:
        return await items.list_items(actor=call.user, **ws_where(call), kind=kind)

    async def get(call: Call) -> Any:
        return await items.get_item(
            actor=call.user, **ws_where(call), kind=kind, item_id=call.path[id_name]
        )

    async def create_(call: Call) -> Any:
        body: s._Changes = call.body
        return await items.create_item(
            actor=call.user, **ws_where(call), kind=kind, fields=body.changes()
        )

    async def update_(call: Call) -> Any:
        body: s._Changes = call.body
        return await items.update_item(
            actor=call.user,
            **ws_where(call),
            kind=kind,
            item_id=call.path[id_name],
            changes=body.changes(),
        )

    async def delete(call: Call) -> Any:
        await items.delete_item(
            actor=call.user, **ws_where(call), kind=kind, item_id=call.path[id_name]
        )
        return {"ok": True}

    for handler in (list_, get, create_, update_, delete):
        handler.__name__ = f"{handler.__name__.strip('_')}_{kind.name}"
    what = kind.what.lower()
    api.route(
        "GET",
        base,
        summary=f"List the workspace's {plural}",
        response=list[public],  # type: ignore[valid-type]
        scope=PILOTAGE_READ,
        errors=(404,),
    )(list_)
    api.route(
        "POST",
        base,
        summary=f"Create a {what}",
        body=create,
        response=public,
        status=201,
        scope=PILOTAGE_WRITE,
        errors=(400, 403, 404, 409),
    )(create_)
    api.route(
        "GET",
        one,
        summary=f"One {what}",
        response=public,
        scope=PILOTAGE_READ,
        errors=(404,),
    )(get)
    api.route(
        "PATCH",
        one,
        summary=f"Change a {what}: fields left out stay, null clears",
        body=update,
        response=public,
        scope=PILOTAGE_WRITE,
        errors=(400, 403, 404),
    )(update_)
    api.route(
        "DELETE",
        one,
        summary=f"Delete a {what}",
        response=Ok,
        scope=PILOTAGE_WRITE,
        errors=(403, 404),
    )(delete)


_items(items.MISSIONS, "missions", "mission_id", s.MissionCreate, s.MissionUpdate, s.MissionPublic)
_items(
    items.PRIORITIES,
    "priorities",
    "priority_id",
    s.PriorityCreate,
    s.PriorityUpdate,
    s.PriorityPublic,
)
_items(items.TODOS, "todos", "todo_id", s.TodoCreate, s.TodoUpdate, s.TodoPublic)
_items(
    items.DECISIONS,
    "decisions",
    "decision_id",
    s.DecisionCreate,
    s.DecisionUpdate,
    s.DecisionPublic,
)
_items(items.DOCS, "docs", "doc_id", s.DocCreate, s.DocUpdate, s.DocPublic)


# Proposed actions

ACTIONS = PILOTAGE + "/actions"


@api.route(
    "POST",
    ACTIONS + "/propose",
    summary="Propose an action for review; its payload is checked against its type",
    body=s.ActionPropose,
    response=s.ActionPublic,
    status=201,
    scope=PILOTAGE_WRITE,
    errors=(400, 403, 404, 409),
)
async def propose_action(call: Call) -> Any:
    body = call.body.root
    return await actions.propose_action(
        actor=call.user,
        **ws_where(call),
        action_type_name=body.action_type,
        explanation=body.explanation,
        payload=body.payload.model_dump(by_alias=True, exclude_unset=True),
    )


@api.route(
    "GET",
    ACTIONS,
    summary="Proposed actions, newest first, optionally of one status",
    query=s.ActionQuery,
    response=list[s.ActionPublic],
    scope=PILOTAGE_READ,
    errors=(404,),
)
async def list_actions(call: Call) -> Any:
    q: s.ActionQuery = call.query
    return await actions.list_actions(actor=call.user, **ws_where(call), status=q.status)


@api.route(
    "GET",
    ACTIONS + "/{action_id}",
    summary="A proposed action with its trail: who proposed, reviewed and applied it",
    response=s.ActionDetail,
    scope=PILOTAGE_READ,
    errors=(404,),
)
async def get_action(call: Call) -> Any:
    return await actions.get_action(
        actor=call.user, **ws_where(call), action_id=call.path["action_id"]
    )


@api.route(
    "DELETE",
    ACTIONS + "/{action_id}",
    summary="Withdraw a suggested action nobody has reviewed: its proposer or an owner",
    response=Ok,
    scope=PILOTAGE_WRITE,
    errors=(403, 404, 409),
)
async def withdraw_action(call: Call) -> Any:
    await actions.withdraw_action(
        actor=call.user, **ws_where(call), action_id=call.path["action_id"]
    )
    return {"ok": True}


@api.route(
    "POST",
    ACTIONS + "/{action_id}/review",
    summary="Approve or reject a suggested action",
    body=s.ActionReview,
    response=s.ActionPublic,
    scope=PILOTAGE_WRITE,
    errors=(400, 403, 404, 409),
)
async def review_action(call: Call) -> Any:
    body: s.ActionReview = call.body
    return await actions.review_action(
        actor=call.user,
        **ws_where(call),
        action_id=call.path["action_id"],
        approved=body.approved,
        reason=body.reason,
    )


@api.route(
    "POST",
    ACTIONS + "/{action_id}/apply",
    summary="Apply an approved action: it is performed and marked applied together",
    response=s.ActionPublic,
    scope=(PILOTAGE_WRITE, PROJECTS_WRITE),
    errors=(403, 404, 409),
)
async def apply_action(call: Call) -> Any:
    return await actions.apply_action(
        actor=call.user, **ws_where(call), action_id=call.path["action_id"]
    )
