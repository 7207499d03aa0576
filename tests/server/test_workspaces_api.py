"""Workspaces over REST: creating, reading, changing, and managing members."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models import User, WorkspaceMember
from tests.factories import Board, add_member, bearer, create_board, create_user, jwt_for
from tests.server.test_orgs_api import pat

Headers = dict[str, Any]


def _error(status: int, message: str, error: str) -> dict[str, Any]:
    return {"statusCode": status, "message": message, "error": error}


def _h(user: User) -> Headers:
    return bearer(jwt_for(user))


def _ws(board: Board) -> str:
    return f"/api/orgs/{board.org.slug}/workspaces/{board.workspace.slug}"


async def _roles(board: Board) -> dict[str, Headers]:
    """anonymous, stranger, org member outside the workspace, workspace member, admin."""
    outside, member, admin = await create_user(), await create_user(), await create_user()
    await add_member(board, member)
    await add_member(board, admin, ws_role="admin")
    await add_member(board, outside)
    await WorkspaceMember.filter(workspace_id=board.workspace.id, user_id=outside.id).delete()
    return {
        "anonymous": {},
        "stranger": _h(await create_user()),
        "outside": _h(outside),
        "member": _h(member),
        "admin": _h(admin),
        "owner": _h(board.owner),
    }


async def test_create_answers_201_with_the_seed_shape(client: httpx.AsyncClient) -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member, project_role=None)
    res = await client.post(
        f"/api/orgs/{board.org.slug}/workspaces",
        json={"name": "Engineering", "slug": "engineering"},
        headers=_h(member),
    )
    assert res.status_code == 201, res.text
    body = res.json()
    assert set(body) == {
        "id",
        "name",
        "slug",
        "organizationId",
        "ownerId",
        "isPersonal",
        "myRole",
        "myPilotageRole",
        "createdAt",
        "updatedAt",
    }
    assert (body["organizationId"], body["ownerId"], body["isPersonal"]) == (
        str(board.org.id),
        str(member.id),
        False,
    )
    assert (body["myRole"], body["myPilotageRole"]) == ("admin", "owner")
    got = await client.get(f"/api/orgs/{board.org.slug}/workspaces/engineering", headers=_h(member))
    assert got.json() == body
    dup = await client.post(
        f"/api/orgs/{board.org.slug}/workspaces",
        json={"name": "Again", "slug": "engineering"},
        headers=_h(board.owner),
    )
    assert dup.json() == _error(
        409, "A workspace with this slug already exists in this organization", "Conflict"
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("stranger", 404), ("outside", 201), ("owner", 201)],
)
async def test_creating_needs_org_membership(
    client: httpx.AsyncClient, who: str, status: int
) -> None:
    board = await create_board()
    headers = (await _roles(board))[who]
    res = await client.post(
        f"/api/orgs/{board.org.slug}/workspaces", json={"name": "W", "slug": "w2"}, headers=headers
    )
    assert res.status_code == status, res.text


@pytest.mark.parametrize(
    "body",
    [
        {"name": "W"},
        {"slug": "w2"},
        {"name": "", "slug": "w2"},
        {"name": "W", "slug": "W2"},
        {"name": "W", "slug": "w_2"},
        {"name": "W", "slug": "w"},
        {"name": "n" * 101, "slug": "w2"},
        {"name": "W", "slug": "w2", "isPersonal": True},
        {"name": 1, "slug": "w2"},
    ],
)
async def test_create_refuses_bad_input(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    board = await create_board()
    res = await client.post(
        f"/api/orgs/{board.org.slug}/workspaces", json=body, headers=_h(board.owner)
    )
    assert res.status_code == 400, res.text


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    board = await create_board()
    res = await client.patch(
        _ws(board),
        content=b'{"name": ',
        headers=_h(board.owner) | {"content-type": "application/json"},
    )
    assert res.json() == _error(400, "Malformed JSON body", "Bad Request")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("stranger", 404),
        ("outside", 404),
        ("member", 200),
        ("admin", 200),
        ("owner", 200),
    ],
)
async def test_reading_a_workspace(client: httpx.AsyncClient, who: str, status: int) -> None:
    board = await create_board()
    headers = (await _roles(board))[who]
    for path in ("", "/members"):
        res = await client.get(_ws(board) + path, headers=headers)
        assert res.status_code == status, (path, res.text)
    listed = await client.get(f"/api/orgs/{board.org.slug}/workspaces", headers=headers)
    if who in ("outside",):
        assert listed.json() == []
    elif status == 200:
        assert [w["slug"] for w in listed.json()] == [board.workspace.slug]


async def test_unknown_workspace_and_organization_are_404(client: httpx.AsyncClient) -> None:
    board = await create_board()
    res = await client.get(f"/api/orgs/{board.org.slug}/workspaces/nope", headers=_h(board.owner))
    assert res.json() == _error(404, "Workspace not found", "Not Found")
    res = await client.get("/api/orgs/nope/workspaces", headers=_h(board.owner))
    assert res.json() == _error(404, "Organization not found", "Not Found")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("stranger", 404),
        ("outside", 404),
        ("member", 403),
        ("admin", 200),
        ("owner", 200),
    ],
)
async def test_renaming_and_deleting(client: httpx.AsyncClient, who: str, status: int) -> None:
    board = await create_board()
    headers = (await _roles(board))[who]
    res = await client.patch(_ws(board), json={"name": "Platform"}, headers=headers)
    assert res.status_code == status, res.text
    if status == 200:
        assert res.json()["name"] == "Platform"
    res = await client.delete(_ws(board), headers=headers)
    assert res.status_code == status, res.text
    if status == 200:
        assert res.json() == {"ok": True}
        assert (await client.get(board.base, headers=headers)).status_code == 404


async def test_rename_refuses_bad_input(client: httpx.AsyncClient) -> None:
    board = await create_board()
    for body in ({"name": ""}, {"slug": "x"}, {"name": 3}):
        res = await client.patch(_ws(board), json=body, headers=_h(board.owner))
        assert res.status_code == 400, body


async def test_the_personal_workspace_after_registration(client: httpx.AsyncClient) -> None:
    res = await client.post(
        "/api/auth/register",
        json={"email": "jane.doe@example.com", "password": "secure-pass-123", "name": "Jane"},
    )
    headers = bearer(res.json()["access_token"])
    listed = (await client.get("/api/orgs/jane-doe/workspaces", headers=headers)).json()
    assert [(w["slug"], w["isPersonal"], w["myRole"], w["myPilotageRole"]) for w in listed] == [
        ("personal", True, "admin", "owner")
    ]
    res = await client.delete("/api/orgs/jane-doe/workspaces/personal", headers=headers)
    assert res.json() == _error(409, "A personal workspace cannot be deleted", "Conflict")
    login = await client.post(
        "/api/auth/login", json={"email": "jane.doe@example.com", "password": "secure-pass-123"}
    )
    assert login.json()["user"]["pilotageRole"] == "owner"


# Members


async def test_members_are_listed_with_both_roles(client: httpx.AsyncClient) -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    res = await client.get(_ws(board) + "/members", headers=_h(member))
    assert [(m["userId"], m["role"], m["pilotageRole"]) for m in res.json()] == [
        (str(board.owner.id), "admin", "owner"),
        (str(member.id), "member", "viewer"),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("stranger", 404),
        ("outside", 404),
        ("member", 403),
        ("admin", 200),
        ("owner", 200),
    ],
)
async def test_changing_and_removing_members(
    client: httpx.AsyncClient, who: str, status: int
) -> None:
    board = await create_board()
    headers = (await _roles(board))[who]
    target = await create_user()
    await add_member(board, target)
    url = f"{_ws(board)}/members/{target.id}"
    res = await client.patch(
        url, json={"role": "admin", "pilotageRole": "reviewer"}, headers=headers
    )
    assert res.status_code == status, res.text
    if status == 200:
        assert (res.json()["role"], res.json()["pilotageRole"]) == ("admin", "reviewer")
    res = await client.delete(url, headers=headers)
    assert res.status_code == status, res.text
    if status == 200:
        assert (await client.get(board.base, headers=_h(target))).status_code == 404
        # Still in the organization.
        orgs = await client.get("/api/organizations", headers=_h(target))
        assert [o["slug"] for o in orgs.json()] == [board.org.slug]


async def test_member_changes_refuse_bad_input_and_unknown_people(
    client: httpx.AsyncClient,
) -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    url = f"{_ws(board)}/members/{member.id}"
    for body in (
        {"role": "owner"},
        {"pilotageRole": "boss"},
        {"role": None, "other": 1},
        {"role": 1},
    ):
        res = await client.patch(url, json=body, headers=_h(board.owner))
        assert res.status_code == 400, body
    for user_id in ((await create_user()).id, "not-a-uuid"):
        res = await client.patch(
            f"{_ws(board)}/members/{user_id}", json={"role": "admin"}, headers=_h(board.owner)
        )
        assert res.json() == _error(404, "Member not found", "Not Found")


async def test_the_workspace_owner_cannot_be_changed_or_removed(client: httpx.AsyncClient) -> None:
    board = await create_board()
    admin = await create_user()
    await add_member(board, admin, ws_role="admin")
    url = f"{_ws(board)}/members/{board.owner.id}"
    expected = _error(403, "The owner cannot be changed or removed", "Forbidden")
    res = await client.patch(url, json={"role": "member"}, headers=_h(admin))
    assert res.json() == expected
    assert (await client.delete(url, headers=_h(admin))).json() == expected


async def test_a_member_can_leave(client: httpx.AsyncClient) -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    res = await client.delete(f"{_ws(board)}/members/{member.id}", headers=_h(member))
    assert res.json() == {"ok": True}
    assert (await client.get(_ws(board), headers=_h(member))).status_code == 404


async def test_personal_access_tokens_read_but_need_projects_write_to_change(
    client: httpx.AsyncClient,
) -> None:
    board = await create_board()
    reader = await pat(board.owner, "projects:read")
    assert (await client.get(_ws(board), headers=reader)).status_code == 200
    assert (await client.get(_ws(board) + "/members", headers=reader)).status_code == 200
    res = await client.patch(_ws(board), json={"name": "X"}, headers=reader)
    assert res.json() == _error(403, "This token lacks the 'projects:write' scope", "Forbidden")
    res = await client.post(
        f"/api/orgs/{board.org.slug}/workspaces", json={"name": "W", "slug": "w2"}, headers=reader
    )
    assert res.status_code == 403
    writer = await pat(board.owner, "projects:write")
    assert (await client.patch(_ws(board), json={"name": "X"}, headers=writer)).status_code == 200
