"""The /workspace namespace: a workspace member's socket in the workspace's room, where
pilotage changes arrive live; its commands, and who is here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool

from realtime.commands import Command, Payload, Text, command
from realtime.connections import Connection, account_connection
from realtime.presence import Here, Person
from realtime.rooms import RoomNamespace
from services.actors import Actor
from services.errors import Invalid, Unauthorized
from services.events import events_since
from services.pilotage import actions, items
from services.pilotage.access import PilotageAccess, pilotage_access, pilotage_access_by_id
from services.pilotage.state import pilotage_state
from services.scopes import PILOTAGE_READ, PILOTAGE_WRITE, PROJECTS_WRITE

Ref = Annotated[str, Field(min_length=1, max_length=64)]
Slug = Annotated[str, Field(min_length=1, max_length=60)]
Label = Annotated[Text, Field(min_length=1, max_length=500)]
Reason = Annotated[Text, Field(min_length=1, max_length=200)]
MissionStatus = Literal["to_launch", "in_progress", "blocked", "done"]
TodoStatus = Literal["todo", "in_progress", "blocked", "done"]


class Sync(Payload):
    since: int


class CreateTodo(Payload):
    label: Label
    mission_id: Ref | None = None
    priority_id: Ref | None = None


class UpdateTodo(Payload):
    todo_id: Ref
    label: Label | None = None
    status: TodoStatus | None = None


class UpdateMission(Payload):
    mission_id: Ref
    status: MissionStatus | None = None
    blocked_reason: Reason | None = None


class ProposeAction(Payload):
    action_type: Annotated[str, Field(min_length=1, max_length=100)]
    explanation: Annotated[Text, Field(min_length=1, max_length=500)]
    payload: dict[str, Any] = {}


class ReviewAction(Payload):
    action_id: Ref
    approved: StrictBool
    reason: Reason | None = None


class ActionRef(Payload):
    action_id: Ref


def presence_payload(people: list[Here]) -> dict[str, Any]:
    rows = sorted(people, key=lambda h: (h.person.name.lower(), h.person.key))
    return {"members": [{"userId": h.person.key, "name": h.person.name} for h in rows]}


@dataclass(frozen=True)
class WorkspaceCaller:
    conn: Connection
    actor: Actor
    space: WorkspaceNamespace

    @property
    def room(self) -> str:
        return self.conn.room

    async def access(self) -> PilotageAccess:
        """Read again on every command: a role changed or a member removed since the
        socket connected counts at once."""
        return await pilotage_access_by_id(self.actor, self.conn.code)

    async def where(self) -> dict[str, str]:
        access = await self.access()
        return {"org_slug": access.org_slug, "ws_slug": access.ws_slug}


async def room_state(actor: Actor, access: PilotageAccess) -> dict[str, Any]:
    """Everything the cockpit shows, with the room's seq (`cycle` without its "v")."""
    state = await pilotage_state(
        actor=actor,
        org_slug=access.org_slug,
        ws_slug=access.ws_slug,
        profile="revue",
        detail_level="detailed",
    )
    state["seq"] = int(state["cycle"][1:])
    state["workspace"] = {
        "id": str(access.workspace_id),
        "orgSlug": access.org_slug,
        "slug": access.ws_slug,
        "name": access.ws.workspace.name,
    }
    return state


@command(Sync, scope=PILOTAGE_READ)
async def sync(c: WorkspaceCaller, p: Sync) -> Any:
    access = await c.access()
    missed = await events_since(c.room, p.since)
    if missed is not None:
        return {"events": [e.wire() for e in missed]}
    return {"snapshot": await room_state(c.actor, access)}


@command(CreateTodo, scope=PILOTAGE_WRITE)
async def create_todo(c: WorkspaceCaller, p: CreateTodo) -> Any:
    fields = {"label": p.label, "mission_id": p.mission_id, "priority_id": p.priority_id}
    return await items.create_item(
        actor=c.actor, **await c.where(), kind=items.TODOS, fields=fields
    )


@command(UpdateTodo, scope=PILOTAGE_WRITE)
async def update_todo(c: WorkspaceCaller, p: UpdateTodo) -> Any:
    changes = {k: getattr(p, k) for k in p.model_fields_set if k != "todo_id"}
    for key in ("label", "status"):
        if key in changes and changes[key] is None:
            raise Invalid(f"{key}: cannot be null")
    return await items.update_item(
        actor=c.actor, **await c.where(), kind=items.TODOS, item_id=p.todo_id, changes=changes
    )


@command(UpdateMission, scope=PILOTAGE_WRITE)
async def update_mission(c: WorkspaceCaller, p: UpdateMission) -> Any:
    changes = {k: getattr(p, k) for k in p.model_fields_set if k != "mission_id"}
    if "status" in changes and changes["status"] is None:
        raise Invalid("status: cannot be null")
    return await items.update_item(
        actor=c.actor, **await c.where(), kind=items.MISSIONS, item_id=p.mission_id, changes=changes
    )


@command(ProposeAction, scope=PILOTAGE_WRITE)
async def propose_action(c: WorkspaceCaller, p: ProposeAction) -> Any:
    return await actions.propose_action(
        actor=c.actor,
        **await c.where(),
        action_type_name=p.action_type,
        explanation=p.explanation,
        payload=p.payload,
    )


@command(ReviewAction, scope=PILOTAGE_WRITE)
async def review_action(c: WorkspaceCaller, p: ReviewAction) -> Any:
    return await actions.review_action(
        actor=c.actor,
        **await c.where(),
        action_id=p.action_id,
        approved=p.approved,
        reason=p.reason,
    )


@command(ActionRef, scope=(PILOTAGE_WRITE, PROJECTS_WRITE))
async def apply_action(c: WorkspaceCaller, p: ActionRef) -> Any:
    return await actions.apply_action(actor=c.actor, **await c.where(), action_id=p.action_id)


COMMANDS: dict[str, Command[WorkspaceCaller, Any]] = {
    c.name: c
    for c in (
        sync,
        create_todo,
        update_todo,
        update_mission,
        propose_action,
        review_action,
        apply_action,
    )
}


async def _admitted(actor: Actor, auth: dict[str, Any]) -> PilotageAccess:
    """The workspace `auth` names: by id, or by its organization's and its own slug."""
    workspace = auth.get("workspace")
    org, ws = auth.get("org"), auth.get("ws")
    if isinstance(workspace, str) and workspace:
        return await pilotage_access_by_id(actor, workspace)
    if isinstance(org, str) and isinstance(ws, str) and org and ws:
        return await pilotage_access(actor, org[:60], ws[:60])
    raise Invalid("auth.workspace: the workspace's id (or auth.org and auth.ws) is required")


class WorkspaceNamespace(RoomNamespace[WorkspaceCaller]):
    commands = COMMANDS
    scope = PILOTAGE_READ
    not_joined = "This socket has not joined a workspace"

    presence_payload = staticmethod(presence_payload)

    def caller(self, conn: Connection, actor: Actor) -> WorkspaceCaller:
        return WorkspaceCaller(conn=conn, actor=actor, space=self)

    async def admit(self, sid: str, auth: Any) -> str:
        if (
            not isinstance(auth, dict)
            or not isinstance(auth.get("token"), str)
            or not auth["token"]
        ):
            raise Unauthorized("Send auth={'token': ..., 'workspace': ...} to connect")
        token = auth["token"]
        actor = await self.authenticated(token)
        access = await _admitted(actor, auth)
        assert actor.user_id is not None  # workspace access admits accounts only
        room = access.room
        conn = account_connection(
            sid, key=str(access.workspace_id), room=room, token=token, actor=actor
        )
        # Under the room's gate no event reaches the room, so `state` goes out first.
        async with self.gate.hold(room):
            access = await pilotage_access_by_id(actor, access.workspace_id)
            state = await room_state(actor, access)
            await self.welcome(conn, actor, Person(str(actor.user_id), actor.name), state)
        return room

    async def on_room_event(self, room: str, kind: str, data: dict[str, Any]) -> None:
        """A member removed from the workspace loses its sockets at once."""
        if kind == "member_removed":
            await self.close_removed_member(room, data)
