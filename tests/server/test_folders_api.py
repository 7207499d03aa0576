"""Folders over REST: each user organises their own sessions and sees no one else's."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models import ApiToken
from services.security import PAT_PREFIX, new_token, sha256
from tests.factories import bearer, user_with_headers

Headers = dict[str, Any]
NOT_FOUND = {"success": False, "message": "Folder not found", "code": "not_found"}


def _failure(res: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert res.status_code == status, res.text
    body: dict[str, Any] = res.json()
    assert body["success"] is False
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body


async def _folder(client: httpx.AsyncClient, headers: Headers, **body: Any) -> dict[str, Any]:
    res = await client.post(
        "/api/folders", json={"name": "Q4 2025 Sprints"} | body, headers=headers
    )
    assert res.status_code == 201, res.text
    folder: dict[str, Any] = res.json()["folder"]
    return folder


async def test_create_answers_201_with_the_folder(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    res = await client.post(
        "/api/folders", json={"name": "Q4 2025 Sprints", "color": "#8b5cf6"}, headers=headers
    )
    assert res.status_code == 201
    body = res.json()
    assert body["success"] is True
    folder = body["folder"]
    assert (folder["name"], folder["color"], folder["sessions_count"]) == (
        "Q4 2025 Sprints",
        "#8b5cf6",
        0,
    )
    assert isinstance(folder["id"], int)
    plain = await _folder(client, headers, name="Backlog")
    assert plain["color"] == "#6366f1"


async def test_list_shows_your_folders_with_their_session_counts(
    client: httpx.AsyncClient,
) -> None:
    _, headers = await user_with_headers()
    _, other = await user_with_headers()
    sprints = await _folder(client, headers, name="Sprints")
    await _folder(client, headers, name="Archive")
    await _folder(client, other, name="Theirs")
    for name in ("One", "Two"):
        await client.post(
            "/api/sessions", json={"name": name, "folder_id": sprints["id"]}, headers=headers
        )
    res = await client.get("/api/folders", headers=headers)
    assert res.status_code == 200
    body = res.json()
    assert body["success"] is True
    assert [(f["name"], f["sessions_count"]) for f in body["folders"]] == [
        ("Archive", 0),
        ("Sprints", 2),
    ]


async def test_rename_and_recolor(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    folder = await _folder(client, headers, color="#111111")
    url = f"/api/folders/{folder['id']}"
    res = await client.patch(url, json={"name": "Renamed"}, headers=headers)
    assert res.status_code == 200
    assert (res.json()["folder"]["name"], res.json()["folder"]["color"]) == ("Renamed", "#111111")
    res = await client.patch(url, json={"color": "#ABCDEF"}, headers=headers)
    assert (res.json()["folder"]["name"], res.json()["folder"]["color"]) == ("Renamed", "#ABCDEF")


async def test_deleting_a_folder_keeps_its_sessions_unfiled(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    folder = await _folder(client, headers)
    created = await client.post(
        "/api/sessions", json={"name": "Kept", "folder_id": folder["id"]}, headers=headers
    )
    code = created.json()["session"]["code"]
    res = await client.delete(f"/api/folders/{folder['id']}", headers=headers)
    assert res.status_code == 200
    assert res.json() == {"success": True, "message": "Folder deleted"}
    assert (await client.get("/api/folders", headers=headers)).json()["folders"] == []
    session = (await client.get(f"/api/sessions/{code}")).json()["session"]
    assert session["folder_id"] is None
    gone = await client.delete(f"/api/folders/{folder['id']}", headers=headers)
    assert gone.status_code == 404 and gone.json() == NOT_FOUND


async def test_a_duplicate_name_is_409(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    await _folder(client, headers, name="Sprints")
    other = await _folder(client, headers, name="Other")
    res = await client.post("/api/folders", json={"name": "Sprints"}, headers=headers)
    assert res.status_code == 409
    assert res.json() == {
        "success": False,
        "message": "You already have a folder with that name",
        "code": "conflict",
    }
    res = await client.patch(
        f"/api/folders/{other['id']}", json={"name": "Sprints"}, headers=headers
    )
    _failure(res, 409, "conflict")
    # Another user may use the same name.
    _, stranger = await user_with_headers()
    await _folder(client, stranger, name="Sprints")


async def test_someone_elses_folder_is_not_found(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    _, stranger = await user_with_headers()
    folder = await _folder(client, headers)
    url = f"/api/folders/{folder['id']}"
    for res in (
        await client.patch(url, json={"name": "Mine"}, headers=stranger),
        await client.delete(url, headers=stranger),
    ):
        assert res.status_code == 404
        assert res.json() == NOT_FOUND
    assert (await client.get("/api/folders", headers=headers)).json()["folders"][0]["name"] == (
        folder["name"]
    )


@pytest.mark.parametrize("folder_id", ["abc", "0", "-3", "1e3", "99999999999999999999", "١٢"])
async def test_a_malformed_folder_id_is_404(client: httpx.AsyncClient, folder_id: str) -> None:
    _, headers = await user_with_headers()
    for res in (
        await client.patch(f"/api/folders/{folder_id}", json={"name": "X"}, headers=headers),
        await client.delete(f"/api/folders/{folder_id}", headers=headers),
    ):
        assert res.status_code == 404
        assert res.json() == NOT_FOUND


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "f" * 101}, "name"),
        ({"name": 12}, "name"),
        ({"name": "F", "color": "purple"}, "color"),
        ({"name": "F", "color": "#12345"}, "color"),
        ({"name": "F", "color": "#1234567"}, "color"),
        ({"name": "F", "color": "#GGGGGG"}, "color"),
        ({"name": "F", "icon": "star"}, "icon"),
    ],
)
async def test_create_refuses_bad_bodies(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    _, headers = await user_with_headers()
    res = await client.post("/api/folders", json=body, headers=headers)
    data = _failure(res, 422, "invalid")
    assert list(data["errors"]) == [field]
    assert data["message"] == f"{field}: {data['errors'][field][0]}"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"color": None}, "color"),
        ({"sessions_count": 3}, "sessions_count"),
    ],
)
async def test_update_refuses_bad_bodies(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    _, headers = await user_with_headers()
    folder = await _folder(client, headers)
    res = await client.patch(f"/api/folders/{folder['id']}", json=body, headers=headers)
    assert list(_failure(res, 422, "invalid")["errors"]) == [field]


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    res = await client.post(
        "/api/folders", content=b"name=Q4", headers=headers | {"content-type": "application/json"}
    )
    assert res.status_code == 400
    assert res.json() == {"success": False, "message": "Malformed JSON body", "code": "invalid"}


async def test_folders_need_an_account_and_poker_scopes(client: httpx.AsyncClient) -> None:
    user, headers = await user_with_headers()
    _failure(await client.get("/api/folders"), 401, "unauthorized")
    created = await client.post("/api/sessions", json={"name": "S"}, headers=headers)
    code = created.json()["session"]["code"]
    joined = await client.post(f"/api/sessions/{code}/join", json={"name": "Guest"})
    guest = bearer(joined.json()["token"])
    _failure(await client.get("/api/folders", headers=guest), 403, "forbidden")
    _failure(await client.post("/api/folders", json={"name": "G"}, headers=guest), 403, "forbidden")
    token = new_token(PAT_PREFIX)
    await ApiToken.create(
        user=user,
        name="boards",
        prefix=token[:12],
        token_hash=sha256(token),
        scopes=["projects:read", "projects:write"],
    )
    res = await client.get("/api/folders", headers=bearer(token))
    assert res.json() == {
        "success": False,
        "message": "This token lacks the 'poker:read' scope",
        "code": "forbidden",
    }
    res = await client.post("/api/folders", json={"name": "P"}, headers=bearer(token))
    assert res.status_code == 403
