"""Who may open a workspace's live room, and which commands each caller may send: the
same rules as over REST. Outsiders are refused as if the workspace did not exist."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from models import Mission, Todo, WorkspaceMember
from realtime.workspace import COMMANDS as WORKSPACE_COMMANDS
from services.pilotage import actions
from tests.card_details import pat_headers
from tests.factories import guest, poker_room, user_actor
from tests.matrix import CALLERS, World, build_world
from tests.realtime.clients import LiveServer
from tests.realtime.workspace_clients import WorkspaceTab

Tabs = Callable[[], WorkspaceTab]
SECRET = "Zephyrsecret "


@pytest.fixture
async def ws_tabs(live_server: LiveServer) -> AsyncIterator[Tabs]:
    opened: list[WorkspaceTab] = []

    def open_tab() -> WorkspaceTab:
        tab = WorkspaceTab(live_server)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        await tab.close()


# The refusal code, or None when the caller is admitted. A projects-only token lacks
# pilotage:read.
CONNECT: dict[str, str | None] = {
    "anonymous": "unauthorized",
    "stranger": "not_found",
    "pat_read": "forbidden",
    "ws_member": None,
    "member": None,
    "admin": None,
    "owner": None,
}


async def test_who_may_open_a_workspace_room(ws_tabs: Tabs, live_server: LiveServer) -> None:
    w = await build_world(tag=SECRET)
    ws_id = str(w.board.workspace.id)
    assert set(CONNECT) == set(CALLERS)
    wrong: list[str] = []
    for caller in CALLERS:
        token = await w.token(caller)
        auth = {"workspace": ws_id} | ({"token": token} if token else {})
        want = CONNECT[caller]
        if want is None:
            state = await ws_tabs().connect(str(token), ws_id)
            if state["workspace"]["id"] != ws_id:
                wrong.append(f"{caller}: {state}")
            continue
        refusal = await ws_tabs().refused(auth)
        if refusal["code"] != want or SECRET.strip() in str(refusal):
            wrong.append(f"{caller}: expected {want}, got {refusal}")
    assert not wrong, "\n".join(wrong)


async def test_a_refusal_does_not_tell_whether_the_workspace_exists(
    ws_tabs: Tabs, live_server: LiveServer
) -> None:
    w = await build_world()
    token = str(await w.token("stranger"))
    real = await ws_tabs().refused({"token": token, "workspace": str(w.board.workspace.id)})
    made_up = await ws_tabs().refused({"token": token, "workspace": str(uuid.uuid4())})
    malformed = await ws_tabs().refused({"token": token, "workspace": "not-an-id"})
    slugs = await ws_tabs().refused(
        {"token": token, "org": w.board.org.slug, "ws": w.board.workspace.slug}
    )
    assert real == made_up == malformed
    assert real["code"] == slugs["code"] == "not_found"


async def test_bad_admissions(ws_tabs: Tabs, live_server: LiveServer) -> None:
    w = await build_world()
    ws_id = str(w.board.workspace.id)
    _, _, session = await poker_room()
    _, _, guest_token = await guest(session["code"], "Gus")
    token = str(await w.token("owner"))
    cases: list[tuple[Any, str]] = [
        ({"workspace": ws_id}, "unauthorized"),
        ({"token": token}, "invalid"),
        ({"token": token, "workspace": 5}, "invalid"),
        ({"token": token, "org": w.board.org.slug}, "invalid"),
        ("just a string", "unauthorized"),
        ({"token": guest_token, "workspace": ws_id}, "forbidden"),
    ]
    for auth, code in cases:
        refusal = await ws_tabs().refused(auth)
        assert refusal["code"] == code, (auth, refusal)


async def since_zero(w: World) -> dict[str, Any]:
    return {"since": 0}


async def new_todo(w: World) -> dict[str, Any]:
    return {"label": "Write the tests"}


async def a_todo(w: World) -> dict[str, Any]:
    todo = await Todo.create(workspace_id=w.board.workspace.id, label="Review")
    return {"todo_id": str(todo.id), "status": "done"}


async def a_mission(w: World) -> dict[str, Any]:
    mission = await Mission.create(workspace_id=w.board.workspace.id, objective="Billing")
    return {"mission_id": str(mission.id), "status": "in_progress"}


async def proposal(w: World) -> dict[str, Any]:
    return {
        "action_type": "move_card",
        "explanation": "Done",
        "payload": {"cardId": await w.card(), "targetColumn": "Done"},
    }


async def _proposed(w: World, *, approve: bool) -> str:
    where = {"org_slug": w.board.org.slug, "ws_slug": w.board.workspace.slug}
    actor = user_actor(w.owner)
    made = await actions.propose_action(
        actor=actor,
        **where,
        action_type_name="move_card",
        explanation="Done",
        payload={"cardId": await w.card(), "targetColumn": "Done"},
    )
    if approve:
        await actions.review_action(actor=actor, **where, action_id=made["id"], approved=True)
    return str(made["id"])


async def to_review(w: World) -> dict[str, Any]:
    return {"action_id": await _proposed(w, approve=False), "approved": True}


async def to_apply(w: World) -> dict[str, Any]:
    return {"action_id": await _proposed(w, approve=True)}


Payload = Callable[[World], Awaitable[dict[str, Any]]]
# Every /workspace command, its payload, and who may send it: anyone admitted reads;
# a viewer changes nothing; a reviewer proposes and reviews; an owner (or an admin of
# the workspace) does everything.
ROWS: dict[str, tuple[Payload, tuple[str, ...]]] = {
    "sync": (since_zero, ("viewer", "reviewer", "owner", "admin", "pilotage:read")),
    "create_todo": (new_todo, ("owner", "admin")),
    "update_todo": (a_todo, ("owner", "admin")),
    "update_mission": (a_mission, ("owner", "admin")),
    "propose_action": (proposal, ("reviewer", "owner", "admin")),
    "review_action": (to_review, ("reviewer", "owner", "admin")),
    "apply_action": (to_apply, ("owner", "admin")),
}


def test_every_workspace_command_has_a_row() -> None:
    assert set(ROWS) == set(WORKSPACE_COMMANDS)


async def test_what_each_caller_may_do_in_a_workspace(
    ws_tabs: Tabs, live_server: LiveServer
) -> None:
    w = await build_world()
    ws_id = str(w.board.workspace.id)
    await WorkspaceMember.filter(workspace_id=ws_id, user_id=w.ws_member.id).update(
        pilotage_role="reviewer"
    )
    reader = (await pat_headers(w.owner, "pilotage:read"))["Authorization"].removeprefix("Bearer ")
    tokens = {
        "viewer": str(await w.token("member")),
        "reviewer": str(await w.token("ws_member")),
        "admin": str(await w.token("admin")),
        "owner": str(await w.token("owner")),
        "pilotage:read": reader,
    }
    wrong: list[str] = []
    for caller, token in tokens.items():
        tab = ws_tabs()
        await tab.connect(token, ws_id)
        for command, (payload, allowed) in ROWS.items():
            ack = await tab.call(command, await payload(w))
            if caller in allowed and not ack["ok"]:
                wrong.append(f"{caller} {command}: {ack}")
            elif caller not in allowed and (ack["ok"] or ack["error"]["code"] != "forbidden"):
                wrong.append(f"{caller} {command}: expected forbidden, got {ack}")
        unknown = await tab.call("delete_workspace", {})
        if unknown["ok"] or unknown["error"]["code"] != "invalid":
            wrong.append(f"{caller} delete_workspace: {unknown}")
        await tab.close()
    assert not wrong, "\n".join(wrong)


async def test_bad_command_payloads_are_invalid(ws_tabs: Tabs, live_server: LiveServer) -> None:
    w = await build_world()
    tab = ws_tabs()
    await tab.connect(str(await w.token("owner")), str(w.board.workspace.id))
    cases: list[tuple[str, Any, str]] = [
        ("create_todo", {"label": ""}, "invalid"),
        ("create_todo", {"label": "x" * 501}, "invalid"),
        ("create_todo", {"label": "Ok", "mission_id": str(uuid.uuid4())}, "not_found"),
        ("update_mission", {"mission_id": "m", "status": "paused"}, "invalid"),
        ("propose_action", {"action_type": "drop_table", "explanation": "x"}, "invalid"),
        (
            "propose_action",
            {"action_type": "move_card", "explanation": "x", "payload": {}},
            "invalid",
        ),
        ("review_action", {"action_id": str(uuid.uuid4()), "approved": True}, "not_found"),
        ("sync", {"since": "zero"}, "invalid"),
        ("sync", [1, 2], "invalid"),
    ]
    for command, payload, code in cases:
        ack = await tab.call(command, payload)
        assert ack["ok"] is False and ack["error"]["code"] == code, (command, payload, ack)


async def test_losing_access_is_seen_by_the_next_command(
    ws_tabs: Tabs, live_server: LiveServer
) -> None:
    """Commands read the caller's access again: a pilotage owner demoted to viewer is
    refused at once, and a member removed without a word (no event) too."""
    w = await build_world()
    tab = ws_tabs()
    await tab.connect(str(await w.token("admin")), str(w.board.workspace.id))
    await WorkspaceMember.filter(workspace_id=w.board.workspace.id, user_id=w.admin.id).update(
        role="member"
    )
    ack = await tab.call("create_todo", {"label": "Later"})
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden", ack
    await WorkspaceMember.filter(workspace_id=w.board.workspace.id, user_id=w.admin.id).delete()
    ack = await tab.call("sync", {"since": 0})
    assert ack["ok"] is False and ack["error"]["code"] == "not_found", ack
