"""Pilotage over REST: items and their rules, the state's profiles and detail levels,
roles and token scopes, and proposed actions from proposal to apply, on both databases."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from models import Card, Column, Comment, Mission, ProposedAction, Todo, WorkspaceMember
from services.pilotage import actions as action_service
from tests.card_details import captured, make_card, of_type, pat_headers
from tests.factories import Board, add_member, bearer, create_board, create_user, jwt_for


def base(board: Board) -> str:
    return f"/api/orgs/{board.org.slug}/workspaces/{board.workspace.slug}/pilotage"


async def person(board: Board, pilotage_role: str, **kw: Any) -> dict[str, str]:
    """A workspace member (and project member) with this pilotage role."""
    user = await create_user()
    await add_member(board, user, **kw)
    await WorkspaceMember.filter(workspace_id=board.workspace.id, user_id=user.id).update(
        pilotage_role=pilotage_role
    )
    return bearer(jwt_for(user))


# Items


async def test_mission_lifecycle_and_the_blocked_rule(client: httpx.AsyncClient) -> None:
    board = await create_board()
    h = bearer(jwt_for(board.owner))
    with captured() as seen:
        res = await client.post(
            f"{base(board)}/missions",
            json={"objective": "Implement billing module", "module": "billing"},
            headers=h,
        )
    assert res.status_code == 201, res.text
    mission = res.json()
    assert mission["status"] == "to_launch" and mission["blockedReason"] is None
    assert of_type(seen, "mission_created") == [{"mission": mission}]
    url = f"{base(board)}/missions/{mission['id']}"
    res = await client.patch(url, json={"status": "blocked"}, headers=h)
    assert res.status_code == 400
    assert res.json()["message"] == "blockedReason: a blocked mission needs a reason"
    assert res.json()["statusCode"] == 400 and res.json()["error"] == "Bad Request"
    res = await client.patch(
        url, json={"status": "blocked", "blockedReason": "Waiting on API"}, headers=h
    )
    assert res.json()["status"] == "blocked" and res.json()["blockedReason"] == "Waiting on API"
    # Clearing the reason of a blocked mission is refused; unblocking clears it.
    assert (await client.patch(url, json={"blockedReason": None}, headers=h)).status_code == 400
    res = await client.patch(url, json={"status": "in_progress"}, headers=h)
    assert res.json()["blockedReason"] is None
    assert (await client.get(url, headers=h)).json()["status"] == "in_progress"
    assert [m["id"] for m in (await client.get(f"{base(board)}/missions", headers=h)).json()] == [
        mission["id"]
    ]
    with captured() as seen:
        assert (await client.delete(url, headers=h)).json() == {"ok": True}
    assert of_type(seen, "mission_deleted") == [{"id": mission["id"]}]
    assert (await client.get(url, headers=h)).status_code == 404


async def test_todos_link_only_to_their_own_workspace(client: httpx.AsyncClient) -> None:
    board, other = await create_board(), await create_board()
    h = bearer(jwt_for(board.owner))
    theirs = await client.post(
        f"{base(other)}/missions",
        json={"objective": "Theirs"},
        headers=bearer(jwt_for(other.owner)),
    )
    mission = (
        await client.post(f"{base(board)}/missions", json={"objective": "Ours"}, headers=h)
    ).json()
    priority = (
        await client.post(f"{base(board)}/priorities", json={"label": "Ship MVP"}, headers=h)
    ).json()
    res = await client.post(
        f"{base(board)}/todos",
        json={"label": "Write tests", "missionId": theirs.json()["id"]},
        headers=h,
    )
    assert res.status_code == 404 and res.json()["message"] == "Mission not found"
    assert "Theirs" not in res.text
    res = await client.post(
        f"{base(board)}/todos", json={"label": "Write tests", "priorityId": "p-001"}, headers=h
    )
    assert res.status_code == 404 and res.json()["message"] == "Priority not found"
    res = await client.post(
        f"{base(board)}/todos",
        json={"label": "Write tests", "missionId": mission["id"], "priorityId": priority["id"]},
        headers=h,
    )
    assert res.status_code == 201, res.text
    todo = res.json()
    assert todo["missionId"] == mission["id"] and todo["status"] == "todo"
    url = f"{base(board)}/todos/{todo['id']}"
    res = await client.patch(url, json={"status": "done", "missionId": None}, headers=h)
    assert res.json()["status"] == "done" and res.json()["missionId"] is None
    assert res.json()["priorityId"] == priority["id"]
    # Deleting the priority unlinks the todo, which stays.
    await client.delete(f"{base(board)}/priorities/{priority['id']}", headers=h)
    assert (await client.get(url, headers=h)).json()["priorityId"] is None


async def test_priorities_decisions_and_docs(client: httpx.AsyncClient) -> None:
    board = await create_board()
    h = bearer(jwt_for(board.owner))
    cases: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        ("priorities", {"label": "Ship billing MVP", "module": "billing"}, {"active": False}),
        (
            "decisions",
            {"title": "Use Stripe", "impact": "Saves 3 weeks"},
            {"impact": None},
        ),
        (
            "docs",
            {"title": "Billing API Spec v2", "owner": "Jane Doe", "sourceType": "tech"},
            {"sourceType": "ops", "url": "https://docs.example.com/billing"},
        ),
    ]
    for plural, create, change in cases:
        res = await client.post(f"{base(board)}/{plural}", json=create, headers=h)
        assert res.status_code == 201, (plural, res.text)
        made = res.json()
        assert {k: made[k] for k in create} == create
        url = f"{base(board)}/{plural}/{made['id']}"
        res = await client.patch(url, json=change, headers=h)
        assert res.status_code == 200, (plural, res.text)
        assert {k: res.json()[k] for k in change} == change
        listed = (await client.get(f"{base(board)}/{plural}", headers=h)).json()
        assert [i["id"] for i in listed] == [made["id"]]
        assert (await client.delete(url, headers=h)).status_code == 200
        assert (await client.get(f"{base(board)}/{plural}", headers=h)).json() == []


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("missions", {}, "objective"),
        ("missions", {"objective": "x" * 501}, "objective"),
        ("missions", {"objective": 5}, "objective"),
        ("missions", {"objective": "   "}, "objective"),
        ("missions", {"objective": "a\x00b"}, "objective"),
        ("missions", {"objective": "Ok", "status": "blocked"}, "status"),
        ("missions", {"objective": "Ok", "owner": "me"}, "owner"),
        ("priorities", {"label": ["Ship"]}, "label"),
        ("todos", {"label": "Ok", "missionId": 12}, "missionId"),
        ("decisions", {"title": "Ok", "impact": "x" * 2001}, "impact"),
        ("docs", {"title": "Ok", "sourceType": "legal"}, "sourceType"),
        ("docs", {"title": "Ok", "url": "javascript:alert(1)"}, "url"),
    ],
)
async def test_bad_item_input_is_400_naming_the_field(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], field: str
) -> None:
    board = await create_board()
    res = await client.post(
        f"{base(board)}/{path}", json=body, headers=bearer(jwt_for(board.owner))
    )
    assert res.status_code == 400, res.text
    assert res.json()["message"].startswith(field), res.json()
    assert field in res.json()["errors"]


async def test_malformed_and_oversized_bodies(client: httpx.AsyncClient) -> None:
    board = await create_board()
    h = bearer(jwt_for(board.owner)) | {"content-type": "application/json"}
    res = await client.post(f"{base(board)}/missions", content=b'{"objective": ', headers=h)
    assert res.status_code == 400 and res.json()["message"] == "Malformed JSON body"
    res = await client.post(f"{base(board)}/missions", content=b"[1, 2]", headers=h)
    assert res.status_code == 400 and res.json()["message"] == "The body must be a JSON object"
    huge = b'{"objective": "' + b"x" * 70_000 + b'"}'
    res = await client.post(f"{base(board)}/missions", content=huge, headers=h)
    assert res.status_code == 413
    blocked = (
        await client.post(f"{base(board)}/missions", json={"objective": "M"}, headers=h)
    ).json()
    res = await client.patch(
        f"{base(board)}/missions/{blocked['id']}",
        json={"status": "blocked", "blockedReason": "x" * 201},
        headers=h,
    )
    assert res.status_code == 400 and res.json()["message"].startswith("blockedReason")
    res = await client.patch(
        f"{base(board)}/missions/{blocked['id']}", json={"status": None}, headers=h
    )
    assert res.status_code == 400
    res = await client.get(f"{base(board)}/state?profile=weekly", headers=h)
    assert res.status_code == 400 and res.json()["message"].startswith("query.profile")
    res = await client.get(f"{base(board)}/actions?status=pending", headers=h)
    assert res.status_code == 400
    assert (await client.get(f"{base(board)}/missions/not-an-id", headers=h)).status_code == 404


# The state


async def _fill(client: httpx.AsyncClient, board: Board, h: dict[str, str]) -> dict[str, Any]:
    b = base(board)
    open_m = (
        await client.post(
            f"{b}/missions", json={"objective": "Billing", "module": "billing"}, headers=h
        )
    ).json()
    done_m = (await client.post(f"{b}/missions", json={"objective": "Login"}, headers=h)).json()
    await client.patch(f"{b}/missions/{done_m['id']}", json={"status": "done"}, headers=h)
    prio = (await client.post(f"{b}/priorities", json={"label": "Ship MVP"}, headers=h)).json()
    old = (await client.post(f"{b}/priorities", json={"label": "Old"}, headers=h)).json()
    await client.patch(f"{b}/priorities/{old['id']}", json={"active": False}, headers=h)
    todo = (
        await client.post(
            f"{b}/todos",
            json={"label": "Stripe tests", "missionId": open_m["id"], "priorityId": prio["id"]},
            headers=h,
        )
    ).json()
    done_t = (await client.post(f"{b}/todos", json={"label": "Old todo"}, headers=h)).json()
    await client.patch(f"{b}/todos/{done_t['id']}", json={"status": "done"}, headers=h)
    decision = (await client.post(f"{b}/decisions", json={"title": "Use Stripe"}, headers=h)).json()
    doc = (
        await client.post(f"{b}/docs", json={"title": "Spec", "sourceType": "tech"}, headers=h)
    ).json()
    return {
        "open": open_m,
        "done": done_m,
        "prio": prio,
        "todo": todo,
        "done_todo": done_t,
        "decision": decision,
        "doc": doc,
    }


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in items]


async def test_state_profiles_and_detail_levels(client: httpx.AsyncClient) -> None:
    board = await create_board()
    h = bearer(jwt_for(board.owner))
    made = await _fill(client, board, h)
    res = await client.get(f"{base(board)}/state", headers=h)
    assert res.status_code == 200, res.text
    state = res.json()
    assert set(state) == {
        "cycle",
        "contractVersion",
        "missions",
        "activePriorities",
        "todos",
        "decisions",
        "activeDocs",
        "usageContext",
    }
    assert state["contractVersion"] == 1 and state["cycle"].startswith("v")
    assert state["usageContext"] == {"profile": "pilotage", "role": "owner", "intent": None}
    # pilotage: every mission, open todos, active priorities, decisions and documents.
    assert _ids(state["missions"]) == [made["open"]["id"], made["done"]["id"]]
    assert _ids(state["todos"]) == [made["todo"]["id"]]
    assert _ids(state["activePriorities"]) == [made["prio"]["id"]]
    assert _ids(state["decisions"]) == [made["decision"]["id"]]
    assert _ids(state["activeDocs"]) == [made["doc"]["id"]]
    # standard: the seed's fields, no timestamps.
    assert state["missions"][0] == {
        "id": made["open"]["id"],
        "objective": "Billing",
        "module": "billing",
        "status": "to_launch",
        "blockedReason": None,
    }
    execution = (
        await client.get(f"{base(board)}/state?profile=execution&intent=daily_execution", headers=h)
    ).json()
    assert _ids(execution["missions"]) == [made["open"]["id"]]
    assert execution["decisions"] == [] and execution["activeDocs"] == []
    assert execution["usageContext"]["intent"] == "daily_execution"
    revue = (await client.get(f"{base(board)}/state?profile=revue", headers=h)).json()
    assert _ids(revue["todos"]) == [made["todo"]["id"], made["done_todo"]["id"]]
    minimal = (
        await client.get(f"{base(board)}/state?profile=revue&detailLevel=minimal", headers=h)
    ).json()
    assert minimal["missions"] == [
        {"id": made["open"]["id"], "objective": "Billing", "status": "to_launch"}
    ]
    assert minimal["todos"] == [
        {"id": made["todo"]["id"], "label": "Stripe tests", "status": "todo"}
    ]
    assert minimal["decisions"] == [{"id": made["decision"]["id"], "title": "Use Stripe"}]
    detailed = (await client.get(f"{base(board)}/state?detailLevel=detailed", headers=h)).json()
    todo = detailed["todos"][0]
    assert todo["createdAt"] and todo["mission"] == {
        "id": made["open"]["id"],
        "objective": "Billing",
    }
    assert todo["priority"] == {"id": made["prio"]["id"], "label": "Ship MVP"}
    assert detailed["missions"][0]["todoCounts"] == {"todo": 1}
    assert detailed["pendingActions"] == []
    # Every change moves the cycle on; a read does not.
    again = (await client.get(f"{base(board)}/state", headers=h)).json()
    assert again["cycle"] == state["cycle"]
    await client.post(f"{base(board)}/decisions", json={"title": "Another"}, headers=h)
    later = (await client.get(f"{base(board)}/state", headers=h)).json()
    assert int(later["cycle"][1:]) == int(state["cycle"][1:]) + 1


# Roles and scopes


async def test_roles_decide_who_reads_proposes_reviews_and_applies(
    client: httpx.AsyncClient,
) -> None:
    board = await create_board()
    owner = bearer(jwt_for(board.owner))
    viewer = await person(board, "viewer")
    reviewer = await person(board, "reviewer")
    pilot = await person(board, "owner")
    admin = await person(board, "viewer", ws_role="admin")
    stranger = bearer(jwt_for(await create_user()))
    card = await make_card(board)
    b = base(board)
    for h, role in ((viewer, "viewer"), (reviewer, "reviewer"), (pilot, "owner"), (admin, "owner")):
        res = await client.get(f"{b}/state", headers=h)
        assert res.status_code == 200 and res.json()["usageContext"]["role"] == role
    res = await client.get(f"{b}/state", headers=stranger)
    assert res.status_code == 404 and res.json()["message"] == "Organization not found"
    for h, status in ((viewer, 403), (reviewer, 403), (pilot, 201), (admin, 201)):
        res = await client.post(f"{b}/missions", json={"objective": "M"}, headers=h)
        assert res.status_code == status, res.text
    proposal = {
        "actionType": "move_card",
        "explanation": "All subtasks complete",
        "payload": {"cardId": str(card.id), "targetColumn": "Done"},
    }
    assert (
        await client.post(f"{b}/actions/propose", json=proposal, headers=viewer)
    ).status_code == 403
    res = await client.post(f"{b}/actions/propose", json=proposal, headers=reviewer)
    assert res.status_code == 201, res.text
    action = res.json()
    url = f"{b}/actions/{action['id']}"
    assert (
        await client.post(f"{url}/review", json={"approved": True}, headers=viewer)
    ).status_code == 403
    assert (
        await client.post(f"{url}/review", json={"approved": True}, headers=reviewer)
    ).status_code == 200
    res = await client.post(f"{url}/apply", headers=reviewer)
    assert (
        res.status_code == 403
        and res.json()["message"] == "Only a pilotage owner can apply actions"
    )
    assert (await client.post(f"{url}/apply", headers=owner)).status_code == 200
    assert (await client.get(url, headers=stranger)).status_code == 404


async def test_token_scopes(client: httpx.AsyncClient) -> None:
    board = await create_board()
    b = base(board)
    reader = await pat_headers(board.owner, "pilotage:read")
    writer = await pat_headers(board.owner, "pilotage:write")
    projects = await pat_headers(board.owner, "projects:read", "projects:write")
    assert (await client.get(f"{b}/state", headers=reader)).status_code == 200
    assert (await client.get(f"{b}/state", headers=projects)).status_code == 403
    assert (
        await client.post(f"{b}/missions", json={"objective": "M"}, headers=reader)
    ).status_code == 403
    assert (
        await client.post(f"{b}/missions", json={"objective": "M"}, headers=writer)
    ).status_code == 201
    assert (await client.get(f"{b}/missions", headers=writer)).status_code == 403


# Proposed actions


async def _proposed(
    client: httpx.AsyncClient,
    board: Board,
    action_type: str,
    payload: dict[str, Any],
    *,
    approve: bool = True,
) -> str:
    h = bearer(jwt_for(board.owner))
    res = await client.post(
        f"{base(board)}/actions/propose",
        json={"actionType": action_type, "explanation": "Because", "payload": payload},
        headers=h,
    )
    assert res.status_code == 201, res.text
    assert res.json()["status"] == "suggested"
    if approve:
        res = await client.post(
            f"{base(board)}/actions/{res.json()['id']}/review",
            json={"approved": True, "reason": "Looks correct"},
            headers=h,
        )
        assert res.json()["status"] == "approved"
    return str(res.json()["id"])


async def test_an_approved_move_is_applied_with_its_trail(client: httpx.AsyncClient) -> None:
    board = await create_board()
    h = bearer(jwt_for(board.owner))
    card = await make_card(board)
    action_id = await _proposed(
        client, board, "move_card", {"cardId": str(card.id), "targetColumn": "done"}
    )
    url = f"{base(board)}/actions/{action_id}"
    with captured() as seen:
        res = await client.post(f"{url}/apply", headers=h)
    assert res.status_code == 200, res.text
    applied = res.json()
    assert applied["status"] == "applied" and applied["appliedAt"]
    done = board.columns[2]
    assert (await Card.get(id=card.id)).column_id == done.id
    assert applied["result"]["columnId"] == str(done.id)
    kinds = [e.type for e in seen]
    assert kinds == ["card_moved", "action_applied"], kinds
    detail = (await client.get(url, headers=h)).json()
    assert [s["step"] for s in detail["trail"]] == ["proposed", "approved", "applied"]
    assert detail["trail"][1]["reason"] == "Looks correct"
    assert detail["trail"][2]["actor"]["id"] == str(board.owner.id)
    assert detail["trail"][2]["result"]["columnId"] == str(done.id)
    # Applied once only.
    res = await client.post(f"{url}/apply", headers=h)
    assert res.status_code == 409
    assert res.json()["message"] == "Only an approved action can be applied; this one is applied"
    listed = (await client.get(f"{base(board)}/actions?status=applied", headers=h)).json()
    assert [a["id"] for a in listed] == [action_id]
    assert (await client.get(f"{base(board)}/actions?status=suggested", headers=h)).json() == []


async def test_a_suggestion_is_withdrawn_by_its_proposer_or_an_owner_before_review(
    client: httpx.AsyncClient,
) -> None:
    board = await create_board()
    owner = bearer(jwt_for(board.owner))
    viewer = await person(board, "viewer")
    reviewer = await person(board, "reviewer")
    other_reviewer = await person(board, "reviewer")
    card = await make_card(board)
    b = base(board)
    proposal = {
        "actionType": "move_card",
        "explanation": "All subtasks complete",
        "payload": {"cardId": str(card.id), "targetColumn": "Done"},
    }

    async def propose() -> str:
        res = await client.post(f"{b}/actions/propose", json=proposal, headers=reviewer)
        assert res.status_code == 201, res.text
        return str(res.json()["id"])

    mine = await propose()
    for h in (viewer, other_reviewer):
        res = await client.delete(f"{b}/actions/{mine}", headers=h)
        assert res.status_code == 403, res.text
        assert res.json()["message"] == (
            "Only whoever proposed an action or a pilotage owner can withdraw it"
        )
    res = await client.delete(f"{b}/actions/{mine}", headers=reviewer)
    assert res.status_code == 200 and res.json() == {"ok": True}
    assert (await client.get(f"{b}/actions/{mine}", headers=owner)).status_code == 404
    listed = (await client.get(f"{b}/actions", headers=owner)).json()
    assert mine not in [a["id"] for a in listed]
    assert (await client.delete(f"{b}/actions/{mine}", headers=reviewer)).status_code == 404
    # An owner may withdraw anyone's suggestion; once reviewed, nobody can.
    theirs = await propose()
    assert (await client.delete(f"{b}/actions/{theirs}", headers=owner)).status_code == 200
    reviewed = await propose()
    url = f"{b}/actions/{reviewed}"
    assert (
        await client.post(f"{url}/review", json={"approved": False}, headers=owner)
    ).status_code == 200
    res = await client.delete(url, headers=reviewer)
    assert res.status_code == 409
    assert res.json()["message"] == (
        "Only a suggested action can be withdrawn; this one is rejected"
    )
    # Another workspace's action, and an id that is not one, are not found.
    elsewhere = await create_board()
    res = await client.delete(
        f"{base(elsewhere)}/actions/{reviewed}", headers=bearer(jwt_for(elsewhere.owner))
    )
    assert res.status_code == 404
    assert (await client.delete(f"{b}/actions/not-an-id", headers=owner)).status_code in (400, 404)


async def test_review_and_apply_in_the_wrong_state_are_conflicts(client: httpx.AsyncClient) -> None:
    board = await create_board()
    h = bearer(jwt_for(board.owner))
    card = await make_card(board)
    payload = {"cardId": str(card.id), "targetColumn": "Done"}
    suggested = await _proposed(client, board, "move_card", payload, approve=False)
    url = f"{base(board)}/actions/{suggested}"
    res = await client.post(f"{url}/apply", headers=h)
    assert res.status_code == 409 and "this one is suggested" in res.json()["message"]
    res = await client.post(
        f"{url}/review", json={"approved": False, "reason": "Not yet"}, headers=h
    )
    assert res.json()["status"] == "rejected" and res.json()["reviewReason"] == "Not yet"
    for body in ({"approved": True}, {"approved": False}):
        res = await client.post(f"{url}/review", json=body, headers=h)
        assert res.status_code == 409
        assert (
            res.json()["message"] == "Only a suggested action can be reviewed; this one is rejected"
        )
    assert (await client.post(f"{url}/apply", headers=h)).status_code == 409
    assert (await Card.get(id=card.id)).column_id == board.columns[0].id
    res = await client.post(f"{url}/review", json={"approved": "yes"}, headers=h)
    assert res.status_code == 400
    res = await client.post(
        f"{url}/review", json={"approved": True, "reason": "x" * 201}, headers=h
    )
    assert res.status_code == 400


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"actionType": "delete_everything", "explanation": "x", "payload": {}},
            "body: actionType must be one of move_card, create_card",
        ),
        (
            {"actionType": "x" * 101, "explanation": "x", "payload": {}},
            "body: actionType must be one of move_card, create_card",
        ),
        (
            {
                "actionType": "move_card",
                "explanation": "x" * 501,
                "payload": {"cardId": "a", "targetColumn": "b"},
            },
            "move_card.explanation",
        ),
        (
            {"actionType": "move_card", "explanation": "x", "payload": {"cardId": "a"}},
            "move_card.payload.targetColumn",
        ),
        (
            {
                "actionType": "move_card",
                "explanation": "x",
                "payload": {"cardId": 7, "targetColumn": "Done"},
            },
            "move_card.payload.cardId",
        ),
        (
            {
                "actionType": "move_card",
                "explanation": "x",
                "payload": {"cardId": "a", "targetColumn": "b", "extra": 1},
            },
            "move_card.payload.extra",
        ),
        (
            {"actionType": "move_card", "explanation": "x", "payload": "move it"},
            "move_card.payload",
        ),
        (
            {"actionType": "create_todo", "explanation": "x", "payload": {"label": ""}},
            "create_todo.payload.label",
        ),
        (
            {
                "actionType": "update_mission",
                "explanation": "x",
                "payload": {"missionId": "m", "status": "paused"},
            },
            "update_mission.payload.status",
        ),
        (
            {"explanation": "x", "payload": {}},
            "body: actionType must be one of move_card, create_card",
        ),
    ],
)
async def test_a_proposal_that_does_not_fit_its_type_is_400(
    client: httpx.AsyncClient, body: dict[str, Any], message: str
) -> None:
    board = await create_board()
    res = await client.post(
        f"{base(board)}/actions/propose", json=body, headers=bearer(jwt_for(board.owner))
    )
    assert res.status_code == 400, res.text
    assert res.json()["message"].startswith(message), res.json()
    assert await ProposedAction.all().count() == 0


async def test_a_proposal_names_only_this_workspaces_things(client: httpx.AsyncClient) -> None:
    board, other = await create_board(), await create_board()
    theirs = await make_card(other, "Zephyr secret")
    mine = await make_card(board)
    h = bearer(jwt_for(board.owner))
    cases = [
        ({"cardId": str(theirs.id), "targetColumn": "Done"}, "Card not found"),
        (
            {"cardId": str(mine.id), "targetColumn": str(other.columns[2].id)},
            "The board has no column",
        ),
        ({"cardId": str(mine.id), "targetColumn": "Nowhere"}, "The board has no column 'Nowhere'"),
    ]
    for payload, message in cases:
        res = await client.post(
            f"{base(board)}/actions/propose",
            json={"actionType": "move_card", "explanation": "x", "payload": payload},
            headers=h,
        )
        assert res.status_code == 404 and res.json()["message"].startswith(message), res.text
        assert "Zephyr" not in res.text
    res = await client.post(
        f"{base(board)}/actions/propose",
        json={
            "actionType": "create_card",
            "explanation": "x",
            "payload": {"projectId": str(other.project.id), "title": "T"},
        },
        headers=h,
    )
    assert res.status_code == 404 and res.json()["message"] == "Project not found"


async def test_a_failed_apply_changes_nothing_and_is_recorded(client: httpx.AsyncClient) -> None:
    board = await create_board()
    h = bearer(jwt_for(board.owner))
    card = await make_card(board)
    action_id = await _proposed(
        client, board, "move_card", {"cardId": str(card.id), "targetColumn": "Done"}
    )
    await Card.filter(id=card.id).delete()
    with captured() as seen:
        res = await client.post(f"{base(board)}/actions/{action_id}/apply", headers=h)
    assert res.status_code == 409, res.text
    assert res.json()["message"] == "The action could not be applied: Card not found"
    assert [e.type for e in seen] == ["action_failed"]
    detail = (await client.get(f"{base(board)}/actions/{action_id}", headers=h)).json()
    assert detail["status"] == "approved" and detail["lastError"] == "Card not found"
    assert (
        detail["trail"][-1]["step"] == "failed"
        and detail["trail"][-1]["reason"] == "Card not found"
    )


async def test_the_action_and_its_status_commit_together(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When marking the action applied fails after the card has moved, the move is
    rolled back too, and nobody hears of it."""
    board = await create_board()
    h = bearer(jwt_for(board.owner))
    card = await make_card(board)
    action_id = await _proposed(
        client, board, "move_card", {"cardId": str(card.id), "targetColumn": "Done"}
    )
    real = action_service._trail

    async def refuse_applied(action: Any, step: str, *args: Any, **kw: Any) -> None:
        if step == "applied":
            from services.errors import Conflict

            raise Conflict("The trail is full")
        await real(action, step, *args, **kw)

    monkeypatch.setattr(action_service, "_trail", refuse_applied)
    with captured() as seen:
        res = await client.post(f"{base(board)}/actions/{action_id}/apply", headers=h)
    assert res.status_code == 409
    assert seen == []
    assert (await Card.get(id=card.id)).column_id == board.columns[0].id
    assert (await ProposedAction.get(id=action_id)).status == "approved"


async def test_every_action_type_is_applied_through_the_services(client: httpx.AsyncClient) -> None:
    board = await create_board()
    h = bearer(jwt_for(board.owner))
    card = await make_card(board)
    mission = (
        await client.post(f"{base(board)}/missions", json={"objective": "Billing"}, headers=h)
    ).json()
    cases: list[tuple[str, dict[str, Any]]] = [
        (
            "create_card",
            {"projectId": str(board.project.id), "title": "From pilotage", "column": "Doing"},
        ),
        ("update_card", {"cardId": str(card.id), "title": "Renamed", "priority": "high"}),
        ("assign_card", {"cardId": str(card.id), "assigneeId": str(board.owner.id)}),
        ("add_comment", {"cardId": str(card.id), "content": "Approved by the pilot"}),
        ("create_todo", {"label": "Follow up", "missionId": mission["id"]}),
        (
            "update_mission",
            {"missionId": mission["id"], "status": "blocked", "blockedReason": "API"},
        ),
    ]
    for action_type, payload in cases:
        action_id = await _proposed(client, board, action_type, payload)
        res = await client.post(f"{base(board)}/actions/{action_id}/apply", headers=h)
        assert res.status_code == 200, (action_type, res.text)
        assert res.json()["status"] == "applied"
    created = await Card.get(title="From pilotage")
    assert created.column_id == board.columns[1].id
    changed = await Card.get(id=card.id)
    assert changed.title == "Renamed" and changed.priority == "high"
    assert changed.assignee_id == board.owner.id
    assert await Comment.filter(card_id=card.id, content="Approved by the pilot").exists()
    assert await Todo.filter(label="Follow up", mission_id=mission["id"]).exists()
    m = await Mission.get(id=mission["id"])
    assert m.status == "blocked" and m.blocked_reason == "API"
    assert await Column.filter(project_id=board.project.id).count() == 3


async def test_a_proposal_breaking_a_missions_rule_is_refused_when_proposed(
    client: httpx.AsyncClient,
) -> None:
    board = await create_board()
    h = bearer(jwt_for(board.owner))
    mission = (
        await client.post(f"{base(board)}/missions", json={"objective": "Billing"}, headers=h)
    ).json()
    res = await client.post(
        f"{base(board)}/actions/propose",
        json={
            "actionType": "update_mission",
            "explanation": "It is stuck",
            "payload": {"missionId": mission["id"], "status": "blocked"},
        },
        headers=h,
    )
    assert res.status_code == 400
    assert res.json()["message"] == "blockedReason: a blocked mission needs a reason"


async def test_an_action_is_applied_once_however_many_ask_at_once(
    client: httpx.AsyncClient,
) -> None:
    board = await create_board()
    h = bearer(jwt_for(board.owner))
    card = await make_card(board)
    action_id = await _proposed(
        client, board, "add_comment", {"cardId": str(card.id), "content": "Once"}
    )
    url = f"{base(board)}/actions/{action_id}/apply"
    answers = await asyncio.gather(*(client.post(url, headers=h) for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409]
    assert await Comment.filter(card_id=card.id, content="Once").count() == 1
    detail = (await client.get(f"{base(board)}/actions/{action_id}", headers=h)).json()
    assert [s["step"] for s in detail["trail"]] == ["proposed", "approved", "applied"]
