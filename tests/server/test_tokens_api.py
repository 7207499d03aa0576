"""Personal access tokens over REST: /api/api-tokens in seed 001's shapes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from models import ApiToken
from services import events, tokens
from services.scopes import ALL as ALL_SCOPES
from services.security import sha256
from tests.factories import bearer, user_with_headers


def _error(status: int, message: str, error: str) -> dict[str, Any]:
    return {"statusCode": status, "message": message, "error": error}


async def _create(
    client: httpx.AsyncClient, headers: dict[str, Any], **body: Any
) -> httpx.Response:
    return await client.post(
        "/api/api-tokens", json={"name": "CI Pipeline"} | body, headers=headers
    )


async def _mint(client: httpx.AsyncClient, headers: dict[str, Any], **body: Any) -> dict[str, Any]:
    res = await _create(client, headers, **body)
    assert res.status_code == 201, res.text
    created: dict[str, Any] = res.json()
    return created


@pytest.fixture
def revoked_ids() -> Iterator[list[uuid.UUID]]:
    seen: list[uuid.UUID] = []

    async def listener(facts: list[events.Fact]) -> None:
        seen.extend(f.token_id for f in facts if isinstance(f, events.TokenRevoked))

    events.subscribe(listener)
    try:
        yield seen
    finally:
        events.unsubscribe(listener)


async def test_create_shows_the_token_once_with_every_scope_by_default(
    client: httpx.AsyncClient,
) -> None:
    _, headers = await user_with_headers()
    res = await _create(client, headers)
    assert res.status_code == 201
    body = res.json()
    assert set(body) == {"id", "token", "name", "prefix", "scopes", "expiresAt", "createdAt"}
    assert body["token"].startswith("rtp_")
    assert body["prefix"] == body["token"][:12]
    assert body["name"] == "CI Pipeline"
    assert body["scopes"] == list(ALL_SCOPES)
    assert body["expiresAt"] is None
    assert datetime.fromisoformat(body["createdAt"]) <= datetime.now(UTC)
    me = await client.get("/api/auth/me", headers=bearer(body["token"]))
    assert me.status_code == 200


async def test_the_database_keeps_only_the_hash(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    created = await _mint(client, headers)
    row = await ApiToken.get(id=created["id"])
    assert row.token_hash == sha256(created["token"])
    stored = [str(v) for v in (await ApiToken.filter(id=row.id).values()).pop().values()]
    assert not any(created["token"] in value for value in stored)


async def test_create_with_scopes_and_an_expiry_echoes_them(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    body = await _mint(
        client,
        headers,
        scopes=["projects:write", "projects:read"],
        expiresAt="2999-01-01T00:00:00Z",
    )
    assert body["scopes"] == ["projects:read", "projects:write"]
    assert body["expiresAt"] == "2999-01-01T00:00:00Z"


async def test_the_list_never_shows_the_token_and_records_its_last_use(
    client: httpx.AsyncClient,
) -> None:
    _, headers = await user_with_headers()
    created = await _mint(client, headers, scopes=["account:read"])
    listed = (await client.get("/api/api-tokens", headers=headers)).json()
    assert listed == [
        {
            "id": created["id"],
            "name": "CI Pipeline",
            "prefix": created["prefix"],
            "scopes": ["account:read"],
            "expiresAt": None,
            "lastUsedAt": None,
            "createdAt": created["createdAt"],
        }
    ]
    before = datetime.now(UTC)
    assert (await client.get("/api/auth/me", headers=bearer(created["token"]))).status_code == 200
    listed = (await client.get("/api/api-tokens", headers=headers)).json()
    assert datetime.fromisoformat(listed[0]["lastUsedAt"]) >= before - timedelta(seconds=1)
    assert created["token"] not in str(listed)


async def test_each_account_lists_only_its_own_tokens(client: httpx.AsyncClient) -> None:
    _, mine = await user_with_headers()
    _, theirs = await user_with_headers()
    await _mint(client, mine, name="mine")
    await _mint(client, theirs, name="theirs")
    listed = (await client.get("/api/api-tokens", headers=mine)).json()
    assert [t["name"] for t in listed] == ["mine"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"scopes": ["projects:read", "root"]}, "scopes: unknown scope root; known: "),
        ({"scopes": []}, "scopes: choose at least one scope, or omit it for all of them"),
        ({"scopes": "projects:read"}, "scopes: Input should be a valid array"),
        ({"expiresAt": "2001-01-01T00:00:00Z"}, "expiresAt: must be in the future"),
        ({"expiresAt": "next tuesday"}, "expiresAt: must be an ISO 8601 date"),
        ({"expiresAt": 1893456000}, "expiresAt: must be an ISO 8601 date string"),
        ({"name": ""}, "name: String should have at least 1 character"),
        ({"name": "   "}, "name: String should have at least 1 character"),
        ({"name": "n" * 101}, "name: String should have at most 100 characters"),
        ({"name": None}, "name: Input should be a valid string"),
        ({"token": "rtp_mine"}, "token: Extra inputs are not permitted"),
    ],
)
async def test_create_rejects_bad_input_with_400(
    client: httpx.AsyncClient, body: dict[str, Any], message: str
) -> None:
    user, headers = await user_with_headers()
    res = await _create(client, headers, **body)
    assert res.status_code == 400
    data = res.json()
    assert (data["statusCode"], data["error"]) == (400, "Bad Request")
    assert data["message"].startswith(message)
    assert await ApiToken.filter(user_id=user.id).count() == 0


async def test_create_without_a_name_is_400(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    res = await client.post("/api/api-tokens", json={}, headers=headers)
    assert res.status_code == 400
    assert res.json()["message"] == "name: Field required"


async def test_a_pat_cannot_manage_tokens(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    created = await _mint(client, headers)
    pat = bearer(created["token"])
    expected = _error(403, "This endpoint requires a JWT, not a personal access token", "Forbidden")
    attempts = [
        await _create(client, pat, name="wider"),
        await client.get("/api/api-tokens", headers=pat),
        await client.delete(f"/api/api-tokens/{created['id']}", headers=pat),
    ]
    for res in attempts:
        assert res.status_code == 403
        assert res.json() == expected
    assert len((await client.get("/api/api-tokens", headers=headers)).json()) == 1


async def test_tokens_need_a_caller(client: httpx.AsyncClient) -> None:
    expected = _error(401, "Missing bearer token", "Unauthorized")
    for res in (
        await client.post("/api/api-tokens", json={"name": "x"}),
        await client.get("/api/api-tokens"),
        await client.delete(f"/api/api-tokens/{uuid.uuid4()}"),
    ):
        assert res.status_code == 401
        assert res.json() == expected


async def test_a_pat_outside_its_scopes_is_403(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    created = await _mint(client, headers, scopes=["projects:read"])
    res = await client.patch("/api/auth/me", json={"name": "x"}, headers=bearer(created["token"]))
    assert res.status_code == 403
    assert res.json() == _error(403, "This token lacks the 'account:write' scope", "Forbidden")


async def test_an_expired_pat_is_401(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    created = await _mint(client, headers, expiresAt=soon)
    await ApiToken.filter(id=created["id"]).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    res = await client.get("/api/auth/me", headers=bearer(created["token"]))
    assert res.status_code == 401
    assert res.json() == _error(401, "Token has expired", "Unauthorized")


async def test_revoking_answers_200_and_the_token_stops_working(
    client: httpx.AsyncClient, revoked_ids: list[uuid.UUID]
) -> None:
    _, headers = await user_with_headers()
    created = await _mint(client, headers)
    kept = await _mint(client, headers, name="kept")
    res = await client.delete(f"/api/api-tokens/{created['id']}", headers=headers)
    assert res.status_code == 200
    assert res.json() == {"id": created["id"], "revoked": True}
    assert revoked_ids == [uuid.UUID(created["id"])]
    me = await client.get("/api/auth/me", headers=bearer(created["token"]))
    assert me.status_code == 401
    assert me.json() == _error(401, "Token has been revoked", "Unauthorized")
    listed = (await client.get("/api/api-tokens", headers=headers)).json()
    assert [t["id"] for t in listed] == [kept["id"]]
    again = await client.delete(f"/api/api-tokens/{created['id']}", headers=headers)
    assert again.status_code == 404


async def test_someone_elses_token_is_404_like_a_missing_one(
    client: httpx.AsyncClient, revoked_ids: list[uuid.UUID]
) -> None:
    _, owner = await user_with_headers()
    _, stranger = await user_with_headers()
    created = await _mint(client, owner)
    expected = _error(404, "API token not found", "Not Found")
    for token_id in (created["id"], str(uuid.uuid4()), "not-a-uuid", "1"):
        res = await client.delete(f"/api/api-tokens/{token_id}", headers=stranger)
        assert res.status_code == 404, token_id
        assert res.json() == expected
    assert revoked_ids == []
    assert (await client.get("/api/auth/me", headers=bearer(created["token"]))).status_code == 200


async def test_the_live_token_cap_answers_409(client: httpx.AsyncClient) -> None:
    user, headers = await user_with_headers()
    await ApiToken.bulk_create(
        [
            ApiToken(
                user_id=user.id,
                name=f"t{i}",
                prefix="rtp_xxxxxxxx",
                token_hash=sha256(f"token {i}"),
                scopes=["mcp"],
            )
            for i in range(tokens.MAX_LIVE_TOKENS)
        ]
    )
    res = await _create(client, headers)
    assert res.status_code == 409
    assert res.json() == _error(
        409, "You already have 50 active tokens; revoke one to create another", "Conflict"
    )


async def test_a_name_with_a_nul_character_is_400_on_every_backend(
    client: httpx.AsyncClient,
) -> None:
    user, headers = await user_with_headers()
    res = await _create(client, headers, name="CI\x00Pipeline")
    assert res.status_code == 400, res.text
    assert res.json()["errors"] == {"name": ["must not contain NUL characters"]}
    assert await ApiToken.filter(user_id=user.id).count() == 0


async def test_openapi_documents_the_token_endpoints(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/api/openapi.json")).json()
    assert set(doc["paths"]["/api/api-tokens"]) == {"get", "post"}
    assert "delete" in doc["paths"]["/api/api-tokens/{id}"]
    create = doc["components"]["schemas"]["TokenCreate"]
    assert set(create["properties"]) == {"name", "scopes", "expiresAt"}
    listed_scopes = create["properties"]["scopes"]["anyOf"][0]["items"]["enum"]
    assert listed_scopes == list(ALL_SCOPES)
    assert doc["components"]["schemas"]["TokenCreated"]["properties"]["token"]
    assert "token" not in doc["components"]["schemas"]["TokenPublic"]["properties"]
