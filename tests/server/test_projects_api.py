"""Projects and their members over REST: who sees what, who may change it, and the
errors a client gets."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from models import ApiToken, Project, User
from services.security import PAT_PREFIX, new_token, sha256
from tests.factories import Board, add_member, bearer, create_board, create_user, jwt_for

Headers = dict[str, Any]


def _as(user: User) -> Headers:
    return bearer(jwt_for(user))


async def _pat(user: User, *scopes: str) -> Headers:
    token = new_token(PAT_PREFIX)
    await ApiToken.create(
        user=user, name="ci", prefix=token[:12], token_hash=sha256(token), scopes=list(scopes)
    )
    return bearer(token)


def _ws(board: Board) -> str:
    return f"/api/orgs/{board.org.slug}/workspaces/{board.workspace.slug}/projects"


def _error(res: httpx.Response, status: int) -> str:
    assert res.status_code == status, res.text
    body: dict[str, Any] = res.json()
    assert body["statusCode"] == status
    assert isinstance(body["error"], str) and body["error"]
    message: str = body["message"]
    return message


async def test_create_answers_201_with_the_project(client: httpx.AsyncClient) -> None:
    board = await create_board()
    res = await client.post(
        _ws(board), json={"name": "Q1 Launch", "template": "scrum"}, headers=_as(board.owner)
    )
    assert res.status_code == 201, res.text
    project = res.json()
    assert set(project) == {
        "id",
        "name",
        "description",
        "workspaceId",
        "createdBy",
        "role",
        "createdAt",
        "updatedAt",
    }
    assert (project["name"], project["workspaceId"], project["role"]) == (
        "Q1 Launch",
        str(board.workspace.id),
        "admin",
    )
    cols = await client.get(f"{_ws(board)}/{project['id']}/columns", headers=_as(board.owner))
    assert cols.status_code == 200, cols.text
    assert [(c["name"], c["wipLimit"]) for c in cols.json()] == [
        ("Backlog", None),
        ("Sprint", None),
        ("In Progress", 5),
        ("Review", 3),
        ("Done", None),
    ]


async def test_get_list_patch_and_delete(client: httpx.AsyncClient) -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    url = f"{_ws(board)}/{board.project.id}"
    res = await client.get(url, headers=_as(member))
    assert res.status_code == 200
    assert (res.json()["id"], res.json()["role"]) == (str(board.project.id), "member")
    listed = await client.get(_ws(board), headers=_as(member))
    assert [p["id"] for p in listed.json()] == [str(board.project.id)]
    res = await client.patch(
        url, json={"name": "Q1 Launch v2", "description": "Now"}, headers=_as(member)
    )
    assert res.status_code == 200
    assert (res.json()["name"], res.json()["description"]) == ("Q1 Launch v2", "Now")
    assert "project admin" in _error(await client.delete(url, headers=_as(member)), 403)
    res = await client.delete(url, headers=_as(board.owner))
    assert (res.status_code, res.json()) == (200, {"ok": True})
    _error(await client.get(url, headers=_as(board.owner)), 404)


async def test_who_gets_what(client: httpx.AsyncClient) -> None:
    board = await create_board()
    stranger = await create_user()
    colleague = await create_user()
    await add_member(board, colleague, project_role=None)
    other = await create_board(board.owner)
    url = f"{_ws(board)}/{board.project.id}"
    _error(await client.get(url), 401)
    _error(await client.get(_ws(board)), 401)
    _error(await client.post(_ws(board), json={"name": "X"}), 401)
    assert _error(await client.get(url, headers=_as(stranger)), 404) == "Organization not found"
    _error(await client.get(_ws(board), headers=_as(stranger)), 404)
    _error(await client.post(_ws(board), json={"name": "X"}, headers=_as(stranger)), 404)
    assert _error(await client.get(url, headers=_as(colleague)), 404) == "Project not found"
    _error(await client.patch(url, json={"name": "X"}, headers=_as(colleague)), 404)
    # Someone else's project id under your own workspace is not found.
    _error(await client.get(f"{_ws(board)}/{other.project.id}", headers=_as(board.owner)), 404)
    for bad in ("not-a-uuid", "123", str(uuid.uuid4())):
        _error(await client.get(f"{_ws(board)}/{bad}", headers=_as(board.owner)), 404)
        _error(await client.delete(f"{_ws(board)}/{bad}", headers=_as(board.owner)), 404)
    # The colleague (workspace member) may start a project of their own.
    res = await client.post(_ws(board), json={"name": "Mine"}, headers=_as(colleague))
    assert res.status_code == 201


async def test_personal_access_tokens_follow_their_scopes(client: httpx.AsyncClient) -> None:
    board = await create_board()
    reader = await _pat(board.owner, "projects:read")
    url = f"{_ws(board)}/{board.project.id}"
    assert (await client.get(url, headers=reader)).status_code == 200
    assert (await client.get(_ws(board), headers=reader)).status_code == 200
    message = _error(await client.post(_ws(board), json={"name": "X"}, headers=reader), 403)
    assert message == "This token lacks the 'projects:write' scope"
    _error(await client.patch(url, json={"name": "X"}, headers=reader), 403)
    _error(await client.delete(url, headers=reader), 403)
    _error(
        await client.post(f"{url}/members", json={"email": "a@example.com"}, headers=reader), 403
    )
    poker_only = await _pat(board.owner, "poker:read")
    _error(await client.get(url, headers=poker_only), 403)
    assert await Project.all().count() == 1


async def test_literal_paths_win_over_a_project_id(client: httpx.AsyncClient) -> None:
    board = await create_board()
    templates = await client.get(f"{_ws(board)}/templates", headers=_as(board.owner))
    assert templates.status_code == 200
    assert [t["id"] for t in templates.json()] == ["kanban", "scrum", "bug-triage"]
    kanban = templates.json()[0]
    assert [c["name"] for c in kanban["columns"]] == ["To Do", "In Progress", "Done"]
    bugs = templates.json()[2]
    assert [lb["name"] for lb in bugs["labels"]] == ["bug", "regression", "critical"]
    scrum = templates.json()[1]
    assert {c["name"]: c["wipLimit"] for c in scrum["columns"]}["In Progress"] == 5
    portfolio = await client.get(f"{_ws(board)}/portfolio", headers=_as(board.owner))
    assert portfolio.status_code == 200 and "projects" in portfolio.json()
    # Other methods fall through to the project path, where the name is no project.
    res = await client.patch(f"{_ws(board)}/portfolio", json={}, headers=_as(board.owner))
    assert _error(res, 404) == "Project not found"
    stranger = await create_user()
    _error(await client.get(f"{_ws(board)}/templates", headers=_as(stranger)), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": 12}, "name"),
        ({"name": "ok", "owner": "me"}, "owner"),
        ({"name": "ok", "description": ["a"]}, "description"),
        ({"name": "ok", "template": "waterfall"}, "template"),
        ({"name": "bad\u0000name"}, "name"),
    ],
)
async def test_malformed_project_bodies_are_400(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    board = await create_board()
    res = await client.post(_ws(board), json=body, headers=_as(board.owner))
    assert res.status_code == 400, res.text
    assert field in res.json()["errors"]
    assert await Project.all().count() == 1


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    board = await create_board()
    res = await client.post(
        _ws(board),
        content=b'{"name": ',
        headers=_as(board.owner) | {"content-type": "application/json"},
    )
    assert _error(res, 400) == "Malformed JSON body"
    res = await client.post(_ws(board), json=["name"], headers=_as(board.owner))
    _error(res, 400)


async def test_members_added_listed_and_removed(client: httpx.AsyncClient) -> None:
    board = await create_board()
    dev = await create_user(email="dev@company.com", name="Dev")
    await add_member(board, dev, project_role=None)
    url = f"{_ws(board)}/{board.project.id}/members"
    res = await client.post(url, json={"email": "dev@company.com"}, headers=_as(board.owner))
    assert res.status_code == 201, res.text
    assert res.json() == {
        "userId": str(dev.id),
        "name": "Dev",
        "email": "dev@company.com",
        "role": "member",
        "joinedAt": res.json()["joinedAt"],
    }
    assert "already a member" in _error(
        await client.post(url, json={"email": "dev@company.com"}, headers=_as(board.owner)), 409
    )
    listed = await client.get(url, headers=_as(dev))
    assert [(m["userId"], m["role"]) for m in listed.json()] == [
        (str(board.owner.id), "admin"),
        (str(dev.id), "member"),
    ]
    outsider = await create_user(email="out@company.com")
    message = _error(
        await client.post(url, json={"email": outsider.email}, headers=_as(board.owner)), 404
    )
    assert message == (
        "No member of this workspace has that email; invite them to the workspace first"
    )
    _error(await client.post(url, json={"email": "not-an-email"}, headers=_as(board.owner)), 400)
    _error(
        await client.post(
            url, json={"email": "dev@company.com", "role": "owner"}, headers=_as(board.owner)
        ),
        400,
    )
    assert "project admin" in _error(
        await client.post(url, json={"email": outsider.email}, headers=_as(dev)), 403
    )
    assert "at least one admin" in _error(
        await client.delete(f"{url}/{board.owner.id}", headers=_as(board.owner)), 409
    )
    assert "project admin" in _error(
        await client.delete(f"{url}/{board.owner.id}", headers=_as(dev)), 403
    )
    res = await client.delete(f"{url}/{dev.id}", headers=_as(board.owner))
    assert (res.status_code, res.json()) == (200, {"ok": True})
    _error(await client.get(url, headers=_as(dev)), 404)
    _error(await client.delete(f"{url}/{dev.id}", headers=_as(board.owner)), 404)
    _error(await client.delete(f"{url}/nobody", headers=_as(board.owner)), 404)
    stranger = await create_user()
    _error(await client.get(url, headers=_as(stranger)), 404)
    _error(await client.get(url), 401)
