"""Organizations over REST: who may see and change them, and what bad input gets."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from models import ApiToken, Invitation, OrgMember, User
from services.security import PAT_PREFIX, new_token, sha256
from tests.factories import Board, add_member, bearer, create_board, create_user, jwt_for

Headers = dict[str, Any]


def _error(status: int, message: str, error: str) -> dict[str, Any]:
    return {"statusCode": status, "message": message, "error": error}


def _h(user: User) -> Headers:
    return bearer(jwt_for(user))


async def pat(user: User, *scopes: str) -> Headers:
    token = new_token(PAT_PREFIX)
    await ApiToken.create(
        user=user, name="t", prefix=token[:12], token_hash=sha256(token), scopes=list(scopes)
    )
    return bearer(token)


async def _roles(board: Board) -> dict[str, Headers]:
    """Headers for everyone who might call: anonymous, stranger, member, admin, owner."""
    member, admin = await create_user(), await create_user()
    await add_member(board, member)
    await add_member(board, admin, org_role="admin")
    return {
        "anonymous": {},
        "stranger": _h(await create_user()),
        "member": _h(member),
        "admin": _h(admin),
        "owner": _h(board.owner),
    }


async def test_create_answers_201_and_the_creator_owns_it(client: httpx.AsyncClient) -> None:
    user = await create_user()
    res = await client.post(
        "/api/organizations", json={"name": "Acme Corp", "slug": "acme-corp"}, headers=_h(user)
    )
    assert res.status_code == 201, res.text
    body = res.json()
    assert (body["name"], body["slug"], body["ownerId"]) == ("Acme Corp", "acme-corp", str(user.id))
    uuid.UUID(body["id"])
    assert body["createdAt"].endswith("Z")
    got = await client.get("/api/organizations/acme-corp", headers=_h(user))
    assert got.status_code == 200
    assert got.json()["myRole"] == "owner"
    again = await client.post(
        "/api/organizations", json={"name": "Other", "slug": "acme-corp"}, headers=_h(user)
    )
    assert again.status_code == 409
    assert again.json() == _error(409, "An organization with this slug already exists", "Conflict")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Acme"}, "slug"),
        ({"slug": "acme"}, "name"),
        ({"name": "", "slug": "acme"}, "name"),
        ({"name": "n" * 101, "slug": "acme"}, "name"),
        ({"name": 5, "slug": "acme"}, "name"),
        ({"name": "Acme", "slug": "Acme"}, "slug"),
        ({"name": "Acme", "slug": "a"}, "slug"),
        ({"name": "Acme", "slug": "acme_corp"}, "slug"),
        ({"name": "Acme", "slug": "a" * 61}, "slug"),
        ({"name": "Acme", "slug": "acme", "plan": "pro"}, "plan"),
    ],
)
async def test_create_refuses_bad_input_with_400(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    res = await client.post("/api/organizations", json=body, headers=_h(await create_user()))
    assert res.status_code == 400, res.text
    assert res.json()["message"].startswith(field)
    assert res.json()["error"] == "Bad Request"


async def test_malformed_and_non_object_bodies_are_400(client: httpx.AsyncClient) -> None:
    headers = _h(await create_user()) | {"content-type": "application/json"}
    res = await client.post("/api/organizations", content=b"{nope", headers=headers)
    assert res.json() == _error(400, "Malformed JSON body", "Bad Request")
    res = await client.post("/api/organizations", json=["acme"], headers=headers)
    assert res.status_code == 400
    res = await client.post(
        "/api/organizations", json={"name": "x" * 70_000, "slug": "big"}, headers=headers
    )
    assert res.status_code == 413


async def test_list_shows_my_organizations_with_my_role(client: httpx.AsyncClient) -> None:
    board = await create_board()
    await create_board()
    member = await create_user()
    await add_member(board, member)
    res = await client.get("/api/organizations", headers=_h(member))
    assert res.status_code == 200
    assert [(o["slug"], o["myRole"]) for o in res.json()] == [(board.org.slug, "member")]
    assert (await client.get("/api/organizations")).status_code == 401


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("stranger", 404), ("member", 200), ("admin", 200), ("owner", 200)],
)
async def test_reading_an_organization(client: httpx.AsyncClient, who: str, status: int) -> None:
    board = await create_board()
    headers = (await _roles(board))[who]
    for path in ("", "/members"):
        res = await client.get(f"/api/organizations/{board.org.slug}{path}", headers=headers)
        assert res.status_code == status, (path, res.text)
    if status == 404:
        assert res.json() == _error(404, "Organization not found", "Not Found")


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("stranger", 404), ("member", 403), ("admin", 200), ("owner", 200)],
)
async def test_renaming_an_organization(client: httpx.AsyncClient, who: str, status: int) -> None:
    board = await create_board()
    headers = (await _roles(board))[who]
    res = await client.patch(
        f"/api/organizations/{board.org.slug}", json={"name": "Acme Corporation"}, headers=headers
    )
    assert res.status_code == status, res.text
    if status == 200:
        assert res.json()["name"] == "Acme Corporation"
    if status == 403:
        assert res.json()["error"] == "Forbidden"


async def test_rename_refuses_bad_input(client: httpx.AsyncClient) -> None:
    board = await create_board()
    url = f"/api/organizations/{board.org.slug}"
    for body in ({"name": ""}, {"name": " "}, {"slug": "new"}, {"name": ["x"]}):
        res = await client.patch(url, json=body, headers=_h(board.owner))
        assert res.status_code == 400, body
    assert (await client.patch(url, json={}, headers=_h(board.owner))).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("stranger", 404), ("member", 403), ("admin", 403), ("owner", 200)],
)
async def test_deleting_an_organization(client: httpx.AsyncClient, who: str, status: int) -> None:
    board = await create_board()
    headers = (await _roles(board))[who]
    res = await client.delete(f"/api/organizations/{board.org.slug}", headers=headers)
    assert res.status_code == status, res.text
    if status == 200:
        assert res.json() == {"ok": True}
        gone = await client.get(f"/api/organizations/{board.org.slug}", headers=headers)
        assert gone.status_code == 404
        project = await client.get(board.base, headers=headers)
        assert project.status_code == 404


async def test_a_personal_organization_cannot_be_deleted(client: httpx.AsyncClient) -> None:
    res = await client.post(
        "/api/auth/register", json={"email": "solo@example.com", "password": "secure-pass-123"}
    )
    headers = bearer(res.json()["access_token"])
    mine = (await client.get("/api/organizations", headers=headers)).json()
    assert [(o["slug"], o["isPersonal"], o["myRole"]) for o in mine] == [("solo", True, "owner")]
    res = await client.delete("/api/organizations/solo", headers=headers)
    assert res.json() == _error(409, "A personal organization cannot be deleted", "Conflict")


# Members


async def test_members_are_listed_with_their_roles(client: httpx.AsyncClient) -> None:
    board = await create_board()
    member = await create_user(email="dev@acme.com")
    await add_member(board, member)
    res = await client.get(f"/api/organizations/{board.org.slug}/members", headers=_h(member))
    assert [(m["userId"], m["role"], m["email"]) for m in res.json()] == [
        (str(board.owner.id), "owner", board.owner.email),
        (str(member.id), "member", "dev@acme.com"),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("stranger", 404), ("member", 403), ("admin", 201), ("owner", 201)],
)
async def test_adding_a_member(client: httpx.AsyncClient, who: str, status: int) -> None:
    board = await create_board()
    headers = (await _roles(board))[who]
    newcomer = await create_user(email="new-member@acme.com")
    res = await client.post(
        f"/api/organizations/{board.org.slug}/members",
        json={"email": "new-member@acme.com", "role": "member"},
        headers=headers,
    )
    assert res.status_code == status, res.text
    if status == 201:
        assert res.json() == {"email": "new-member@acme.com", "role": "member"}
        members = await OrgMember.filter(org_id=board.org.id, user_id=newcomer.id)
        assert [m.role for m in members] == ["member"]


async def test_adding_an_existing_member_or_a_bad_body(client: httpx.AsyncClient) -> None:
    board = await create_board()
    url = f"/api/organizations/{board.org.slug}/members"
    res = await client.post(
        url, json={"email": board.owner.email, "role": "admin"}, headers=_h(board.owner)
    )
    assert res.json() == _error(409, "This person is already a member", "Conflict")
    for body in (
        {"email": "x@acme.com", "role": "owner"},
        {"email": "not-an-email", "role": "member"},
        {"email": "x@acme.com"},
        {"role": "member"},
        {"email": "x@acme.com", "role": "member", "extra": 1},
    ):
        res = await client.post(url, json=body, headers=_h(board.owner))
        assert res.status_code == 400, body


async def test_a_known_and_an_unknown_address_get_the_same_answer(
    client: httpx.AsyncClient,
) -> None:
    """Anyone can create an organization, so adding by email must not tell whether an
    address has an account: same status, same body, nothing of the person in it."""
    board = await create_board()
    known = await create_user(email="kim@acme.com", name="Kim Known")
    url = f"/api/organizations/{board.org.slug}/members"
    answers = {}
    for address in ("Kim@Acme.com", "ghost@acme.com"):
        res = await client.post(
            url, json={"email": address, "role": "member"}, headers=_h(board.owner)
        )
        answers[address.lower()] = res
    assert {a: r.status_code for a, r in answers.items()} == {
        "kim@acme.com": 201,
        "ghost@acme.com": 201,
    }
    for address, res in answers.items():
        assert res.json() == {"email": address, "role": "member"}
        assert sorted(res.headers) == sorted(answers["kim@acme.com"].headers)
    assert str(known.id) not in answers["kim@acme.com"].text
    assert "Kim Known" not in answers["kim@acme.com"].text
    # The account was added; the address without one waits as an invitation, whose
    # token only its email carries.
    members = (await client.get(url, headers=_h(board.owner))).json()
    assert "kim@acme.com" in [m["email"] for m in members]
    assert "ghost@acme.com" not in [m["email"] for m in members]
    ws = f"/api/orgs/{board.org.slug}/workspaces/{board.workspace.slug}"
    pending = (await client.get(f"{ws}/invitations", headers=_h(board.owner))).json()
    assert [(i["email"], i["status"]) for i in pending] == [("ghost@acme.com", "pending")]
    assert "token" not in pending[0]


async def test_adding_an_unknown_address_twice_keeps_one_invitation(
    client: httpx.AsyncClient,
) -> None:
    board = await create_board()
    url = f"/api/organizations/{board.org.slug}/members"
    for role in ("member", "admin"):
        res = await client.post(
            url, json={"email": "ghost@acme.com", "role": role}, headers=_h(board.owner)
        )
        assert res.status_code == 201
    invitations = await Invitation.filter(email="ghost@acme.com")
    assert [(i.role, i.workspace_id) for i in invitations] == [("admin", board.workspace.id)]


async def test_an_organization_without_a_workspace_keeps_nothing_for_an_unknown_address(
    client: httpx.AsyncClient,
) -> None:
    owner = await create_user()
    made = await client.post(
        "/api/organizations", json={"name": "Bare", "slug": "bare"}, headers=_h(owner)
    )
    assert made.status_code == 201
    res = await client.post(
        "/api/organizations/bare/members",
        json={"email": "ghost@acme.com", "role": "member"},
        headers=_h(owner),
    )
    assert res.status_code == 201
    assert res.json() == {"email": "ghost@acme.com", "role": "member"}
    assert await Invitation.all().count() == 0


async def test_the_person_added_is_notified_and_can_leave(client: httpx.AsyncClient) -> None:
    board = await create_board()
    kim = await create_user(email="kim@acme.com", name="Kim")
    res = await client.post(
        f"/api/organizations/{board.org.slug}/members",
        json={"email": "kim@acme.com", "role": "admin"},
        headers=_h(board.owner),
    )
    assert res.status_code == 201
    [notice] = (await client.get("/api/notifications", headers=_h(kim))).json()
    assert notice["readAt"] is None
    assert notice["activity"]["type"] == "org_member_added"
    assert notice["activity"]["actorId"] == str(board.owner.id)
    assert notice["activity"]["meta"] == {
        "organizationSlug": board.org.slug,
        "organizationName": board.org.name,
        "role": "admin",
    }
    listed = (await client.get("/api/organizations", headers=_h(kim))).json()
    assert [o["slug"] for o in listed] == [board.org.slug]
    left = await client.delete(f"/api/organizations/{board.org.slug}/members/me", headers=_h(kim))
    assert left.json() == {"ok": True}
    assert (await client.get("/api/organizations", headers=_h(kim))).json() == []
    # The owner cannot leave their own organization.
    stays = await client.delete(
        f"/api/organizations/{board.org.slug}/members/me", headers=_h(board.owner)
    )
    assert stays.json() == _error(403, "The owner cannot be changed or removed", "Forbidden")


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("stranger", 404), ("member", 403), ("admin", 200), ("owner", 200)],
)
async def test_changing_and_removing_a_member(
    client: httpx.AsyncClient, who: str, status: int
) -> None:
    board = await create_board()
    headers = (await _roles(board))[who]
    target = await create_user()
    await add_member(board, target)
    url = f"/api/organizations/{board.org.slug}/members/{target.id}"
    res = await client.patch(url, json={"role": "admin"}, headers=headers)
    assert res.status_code == status, res.text
    if status == 200:
        assert res.json()["role"] == "admin"
    res = await client.delete(url, headers=headers)
    assert res.status_code == status, res.text
    if status == 200:
        assert res.json() == {"ok": True}
        # Gone from the project too.
        assert (await client.get(board.base, headers=_h(target))).status_code == 404


async def test_the_owner_cannot_be_changed_or_removed(client: httpx.AsyncClient) -> None:
    board = await create_board()
    admin = await create_user()
    await add_member(board, admin, org_role="admin")
    url = f"/api/organizations/{board.org.slug}/members/{board.owner.id}"
    expected = _error(403, "The owner cannot be changed or removed", "Forbidden")
    assert (await client.patch(url, json={"role": "member"}, headers=_h(admin))).json() == expected
    assert (await client.delete(url, headers=_h(admin))).json() == expected
    assert (await client.delete(url, headers=_h(board.owner))).json() == expected


async def test_unknown_members_and_bad_roles(client: httpx.AsyncClient) -> None:
    board = await create_board()
    base = f"/api/organizations/{board.org.slug}/members"
    outsider = await create_user()
    for user_id in (str(outsider.id), "not-a-uuid"):
        res = await client.delete(f"{base}/{user_id}", headers=_h(board.owner))
        assert res.json() == _error(404, "Member not found", "Not Found")
    member = await create_user()
    await add_member(board, member)
    for body in ({"role": "owner"}, {}, {"role": "admin", "name": "x"}):
        res = await client.patch(f"{base}/{member.id}", json=body, headers=_h(board.owner))
        assert res.status_code == 400, body


async def test_a_member_can_leave(client: httpx.AsyncClient) -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    url = f"/api/organizations/{board.org.slug}/members/{member.id}"
    assert (await client.delete(url, headers=_h(member))).status_code == 200
    assert (await client.get("/api/organizations", headers=_h(member))).json() == []


async def test_personal_access_tokens_need_projects_write_to_change_things(
    client: httpx.AsyncClient,
) -> None:
    board = await create_board()
    reader = await pat(board.owner, "projects:read")
    writer = await pat(board.owner, "projects:write")
    url = f"/api/organizations/{board.org.slug}"
    assert (await client.get(url, headers=reader)).status_code == 200
    denied = await client.patch(url, json={"name": "X"}, headers=reader)
    assert denied.json() == _error(403, "This token lacks the 'projects:write' scope", "Forbidden")
    res = await client.post("/api/organizations", json={"name": "P", "slug": "pp"}, headers=reader)
    assert res.status_code == 403
    assert (await client.patch(url, json={"name": "X"}, headers=writer)).status_code == 200


async def test_reading_organizations_and_workspaces_needs_projects_read(
    client: httpx.AsyncClient,
) -> None:
    """Names, members' emails and pending invitees are project data: a token made for
    poker, notifications or MCP does not read them."""
    board = await create_board()
    org, ws = board.org.slug, board.workspace.slug
    reads = (
        "/api/organizations",
        f"/api/organizations/{org}",
        f"/api/organizations/{org}/members",
        f"/api/orgs/{org}/workspaces",
        f"/api/orgs/{org}/workspaces/{ws}",
        f"/api/orgs/{org}/workspaces/{ws}/members",
        f"/api/orgs/{org}/workspaces/{ws}/invitations",
    )
    for scope in ("poker:read", "notifications:read", "mcp", "account:read", "projects:write"):
        headers = await pat(board.owner, scope)
        for url in reads:
            res = await client.get(url, headers=headers)
            assert res.json() == _error(
                403, "This token lacks the 'projects:read' scope", "Forbidden"
            ), (scope, url)
            assert board.owner.email not in res.text
    reader = await pat(board.owner, "projects:read")
    for url in reads:
        assert (await client.get(url, headers=reader)).status_code == 200, url


async def test_the_schema_documents_the_organization_endpoints(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/api/openapi.json")).json()
    assert {
        "/api/organizations",
        "/api/organizations/{org_slug}",
        "/api/organizations/{org_slug}/members",
        "/api/organizations/{org_slug}/members/{user_id}",
    } <= set(doc["paths"])


async def test_names_with_a_nul_character_are_refused_on_every_account_and_org_path(
    client: httpx.AsyncClient,
) -> None:
    # PostgreSQL cannot store NUL; it is refused up front on both backends.
    board = await create_board()
    owner = _h(board.owner)
    org, ws = board.org.slug, board.workspace.slug
    cases = [
        (
            "POST",
            "/api/auth/register",
            {"email": "nul@example.com", "password": "longenough1", "name": "a\x00b"},
            None,
        ),
        ("PATCH", "/api/auth/me", {"name": "a\x00b"}, owner),
        ("POST", "/api/organizations", {"name": "a\x00b", "slug": "nul-org"}, owner),
        ("PATCH", f"/api/organizations/{org}", {"name": "a\x00b"}, owner),
        ("POST", f"/api/orgs/{org}/workspaces", {"name": "a\x00b", "slug": "nul-ws"}, owner),
        ("PATCH", f"/api/orgs/{org}/workspaces/{ws}", {"name": "a\x00b"}, owner),
    ]
    for method, path, body, headers in cases:
        res = await client.request(method, path, json=body, headers=headers)
        assert res.status_code == 400, (path, res.status_code, res.text)
        assert "NUL" in res.json()["message"], res.text
