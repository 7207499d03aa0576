"""The pilotage rows of the permission matrix. In the matrix's world the member, the
workspace member and the admin hold the default pilotage role, viewer; the admin
administers the workspace and so counts as a pilotage owner, as the owner does."""

from __future__ import annotations

from typing import Any

from models import ActiveDoc, Decision, Mission, Priority, Todo
from services.pilotage import actions
from tests.factories import user_actor
from tests.matrix import TENANT_IDS, Req, World, expect, row

WS = "/orgs/{org_slug}/workspaces/{ws_slug}"
PILOTAGE = WS + "/pilotage"
READ, WRITE = "pilotage:read", "pilotage:write"
# Applying performs the action on a board, so it needs the board's write scope too.
APPLY = WRITE + "+projects:write"

TENANT_IDS.extend(["mission_id", "priority_id", "todo_id", "decision_id", "doc_id", "action_id"])

READS = expect(200, 200, 200, pat_read=403)
OWNER_CREATE = expect(403, 201, 201)
OWNER_WRITE = expect(403, 200, 200)


def _ws(w: World) -> dict[str, Any]:
    return {"workspace_id": w.board.workspace.id, "created_by_id": w.owner.id}


async def mission(w: World, caller: str) -> Req:
    made = await Mission.create(**_ws(w), objective=w.tag + "Billing")
    return Req({"mission_id": str(made.id)})


async def priority(w: World, caller: str) -> Req:
    made = await Priority.create(**_ws(w), label=w.tag + "Ship MVP")
    return Req({"priority_id": str(made.id)})


async def todo(w: World, caller: str) -> Req:
    made = await Todo.create(**_ws(w), label=w.tag + "Write tests")
    return Req({"todo_id": str(made.id)})


async def decision(w: World, caller: str) -> Req:
    made = await Decision.create(**_ws(w), title=w.tag + "Use Stripe")
    return Req({"decision_id": str(made.id)})


async def doc(w: World, caller: str) -> Req:
    made = await ActiveDoc.create(**_ws(w), title=w.tag + "Spec")
    return Req({"doc_id": str(made.id)})


async def _proposal(w: World, *, approved: bool) -> str:
    where = {"org_slug": w.board.org.slug, "ws_slug": w.board.workspace.slug}
    actor = user_actor(w.owner)
    made = await actions.propose_action(
        actor=actor,
        **where,
        action_type_name="move_card",
        explanation=w.tag + "All subtasks complete",
        payload={"cardId": await w.card(), "targetColumn": str(w.board.columns[2].id)},
    )
    if approved:
        await actions.review_action(actor=actor, **where, action_id=made["id"], approved=True)
    return str(made["id"])


async def suggested(w: World, caller: str) -> Req:
    return Req({"action_id": await _proposal(w, approved=False)})


async def reviewing(w: World, caller: str) -> Req:
    return Req({"action_id": await _proposal(w, approved=False)}, json={"approved": True})


async def approved(w: World, caller: str) -> Req:
    return Req({"action_id": await _proposal(w, approved=True)})


async def proposing(w: World, caller: str) -> Req:
    return Req(
        json={
            "actionType": "move_card",
            "explanation": "Done",
            "payload": {"cardId": await w.card(), "targetColumn": "Done"},
        }
    )


def _with(prep: Any, body: dict[str, Any]) -> Any:
    async def prepared(w: World, caller: str) -> Req:
        return Req((await prep(w, caller)).params, json=body)

    return prepared


row("GET", PILOTAGE + "/state", READS, scope=READ)
KINDS: list[tuple[str, str, Any, dict[str, Any], dict[str, Any]]] = [
    ("missions", "mission_id", mission, {"objective": "Billing"}, {"status": "in_progress"}),
    ("priorities", "priority_id", priority, {"label": "Ship"}, {"active": False}),
    ("todos", "todo_id", todo, {"label": "Tests"}, {"status": "done"}),
    ("decisions", "decision_id", decision, {"title": "Stripe"}, {"impact": "3 weeks"}),
    ("docs", "doc_id", doc, {"title": "Spec"}, {"sourceType": "tech"}),
]
for plural, id_name, make, create, change in KINDS:
    many, one = f"{PILOTAGE}/{plural}", f"{PILOTAGE}/{plural}/{{{id_name}}}"

    async def creating(w: World, caller: str, body: dict[str, Any] = create) -> Req:
        return Req(json=body)

    row("GET", many, READS, scope=READ)
    row("POST", many, OWNER_CREATE, creating, scope=WRITE)
    row("GET", one, READS, make, scope=READ)
    row("PATCH", one, OWNER_WRITE, _with(make, change), scope=WRITE)
    row("DELETE", one, OWNER_WRITE, make, scope=WRITE)

ACTIONS = PILOTAGE + "/actions"
row("POST", ACTIONS + "/propose", OWNER_CREATE, proposing, scope=WRITE)
row("GET", ACTIONS, READS, scope=READ)
row("GET", ACTIONS + "/{action_id}", READS, suggested, scope=READ)
row("DELETE", ACTIONS + "/{action_id}", OWNER_WRITE, suggested, scope=WRITE)
row("POST", ACTIONS + "/{action_id}/review", OWNER_WRITE, reviewing, scope=WRITE)
row("POST", ACTIONS + "/{action_id}/apply", OWNER_WRITE, approved, scope=APPLY)


async def seed(w: World) -> dict[str, str]:
    """A real id for each pilotage path parameter (for the schema fuzz): the action is
    suggested, so a review can approve it and an apply then perform it."""
    params: dict[str, str] = {}
    for make in (mission, priority, todo, decision, doc, suggested):
        params |= (await make(w, "owner")).params
    return params
