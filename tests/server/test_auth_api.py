"""Accounts over REST: /api/auth/*, the seed 001 shapes and error format."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from models import User
from server.config import Settings
from tests.conftest import TEST_SECRET, settings_for
from tests.factories import DEFAULT_PASSWORD, bearer, create_user, jwt_for, user_with_headers

PASSWORD = "secure-pass-123"


def _error(status: int, message: str, error: str) -> dict[str, Any]:
    return {"statusCode": status, "message": message, "error": error}


async def _register(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    payload = {"email": "jane@example.com", "password": PASSWORD, "name": "Jane Doe"} | body
    return await client.post("/api/auth/register", json=payload)


async def _pat(client: httpx.AsyncClient, headers: dict[str, Any], *scopes: str) -> str:
    res = await client.post(
        "/api/api-tokens", json={"name": "script", "scopes": list(scopes)}, headers=headers
    )
    assert res.status_code == 201, res.text
    token: str = res.json()["token"]
    return token


def _claims(user: User, **overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims = {
        "sub": str(user.id),
        "ver": user.token_version,
        "iat": now,
        "exp": now + timedelta(hours=1),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


# Registration


async def test_register_answers_201_with_a_jwt_and_the_user(client: httpx.AsyncClient) -> None:
    res = await _register(client, email="Jane@Example.com")
    assert res.status_code == 201
    body = res.json()
    assert set(body) == {"access_token", "user"}
    assert body["user"]["email"] == "jane@example.com"
    assert body["user"]["name"] == "Jane Doe"
    assert set(body["user"]) == {"id", "email", "name"}
    me = await client.get("/api/auth/me", headers=bearer(body["access_token"]))
    assert me.json()["user"]["id"] == body["user"]["id"]


@pytest.fixture
async def strict_app(db: str) -> Any:
    """The app with a register limit of 3 an hour per client address."""
    from server.app import create_app

    return create_app(settings_for(db, register_rate_limit="3/hour"), manage_db=False)


def _from(app: Any, ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_sign_ups_are_limited_per_client_address(strict_app: Any) -> None:
    """Taken addresses answer 409 (the seed's contract), so every attempt counts."""
    # An address no other test shares: the counters live as long as the process.
    ip = f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"
    async with _from(strict_app, ip) as client:
        assert (await _register(client, email="a@example.com")).status_code == 201
        taken = await _register(client, email="a@example.com")
        assert taken.json() == _error(409, "An account with this email already exists", "Conflict")
        assert (await _register(client, email="b@example.com")).status_code == 201
        refused = await _register(client, email="c@example.com")
        assert refused.status_code == 429
        assert refused.json() == _error(
            429, "Too many sign-ups from this address; try again later", "Too Many Requests"
        )
        # Refused before any lookup: neither an account nor a 409 for a taken address.
        again = await _register(client, email="a@example.com")
        assert again.status_code == 429
    assert not await User.filter(email="c@example.com").exists()
    async with _from(strict_app, ip + "1") as elsewhere:
        assert (await _register(elsewhere, email="c@example.com")).status_code == 201


def test_the_register_limit_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("ROUNDTABLE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("REGISTER_RATE_LIMIT", raising=False)
    assert Settings.from_env().register_rate_limit == "30/hour"
    monkeypatch.setenv("REGISTER_RATE_LIMIT", "500/day")
    assert Settings.from_env().register_rate_limit == "500/day"
    monkeypatch.setenv("REGISTER_RATE_LIMIT", "plenty")
    with pytest.raises(SystemExit, match="REGISTER_RATE_LIMIT"):
        Settings.from_env()


async def test_register_without_a_name_is_allowed(client: httpx.AsyncClient) -> None:
    res = await client.post(
        "/api/auth/register", json={"email": "anon@example.com", "password": PASSWORD}
    )
    assert res.status_code == 201
    assert res.json()["user"]["name"] == ""


async def test_register_twice_with_one_email_is_409(client: httpx.AsyncClient) -> None:
    assert (await _register(client)).status_code == 201
    res = await _register(client, email="JANE@example.COM", name="Impostor")
    assert res.status_code == 409
    assert res.json() == _error(409, "An account with this email already exists", "Conflict")
    assert await User.filter(email="jane@example.com").count() == 1


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    res = await client.post(
        "/api/auth/register",
        content=b'{"email": "a@example.com",',
        headers={"content-type": "application/json"},
    )
    assert res.status_code == 400
    assert res.json() == _error(400, "Malformed JSON body", "Bad Request")


async def test_a_body_that_is_not_an_object_is_400(client: httpx.AsyncClient) -> None:
    res = await client.post("/api/auth/register", json=["a@example.com", PASSWORD])
    assert res.status_code == 400
    assert res.json()["message"] == "The body must be a JSON object"
    assert res.json()["statusCode"] == 400


async def test_a_form_body_is_400(client: httpx.AsyncClient) -> None:
    res = await client.post(
        "/api/auth/register", data={"email": "a@example.com", "password": PASSWORD}
    )
    assert res.status_code == 400
    assert res.json() == _error(400, "Send the body as application/json", "Bad Request")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"email": 42}, "email", "Input should be a valid string"),
        ({"password": 12345678}, "password", "Input should be a valid string"),
        ({"name": ["Jane"]}, "name", "Input should be a valid string"),
        ({"email": "not-an-email"}, "email", "value is not a valid email address"),
        ({"password": "short"}, "password", "String should have at least 8 characters"),
        ({"password": "p" * 129}, "password", "String should have at most 128 characters"),
        ({"name": "n" * 101}, "name", "String should have at most 100 characters"),
        ({"role": "admin"}, "role", "Extra inputs are not permitted"),
    ],
)
async def test_register_rejects_bad_fields_with_400(
    client: httpx.AsyncClient, body: dict[str, Any], field: str, message: str
) -> None:
    res = await _register(client, **body)
    assert res.status_code == 400
    data = res.json()
    assert data["statusCode"] == 400
    assert data["error"] == "Bad Request"
    assert data["message"].startswith(f"{field}: {message}")
    assert list(data["errors"]) == [field]
    assert not await User.exists()


async def test_register_reports_every_missing_field(client: httpx.AsyncClient) -> None:
    res = await client.post("/api/auth/register", json={})
    assert res.status_code == 400
    assert res.json()["message"] == "email: Field required"
    assert res.json()["errors"] == {"email": ["Field required"], "password": ["Field required"]}


async def test_an_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    res = await _register(client, name="n" * 70_000)
    assert res.status_code == 413
    assert res.json()["statusCode"] == 413
    assert res.json()["error"] == "Request Entity Too Large"


# Login


async def test_login_answers_201_with_a_jwt_and_the_pilotage_role(
    client: httpx.AsyncClient,
) -> None:
    user = await create_user(email="bob@example.com", name="Bob")
    res = await client.post(
        "/api/auth/login", json={"email": "Bob@Example.com", "password": DEFAULT_PASSWORD}
    )
    assert res.status_code == 201
    body = res.json()
    assert body["user"] == {
        "id": str(user.id),
        "email": "bob@example.com",
        "name": "Bob",
        "pilotageRole": "owner",
    }
    me = await client.get("/api/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200


async def test_login_does_not_say_which_of_email_or_password_was_wrong(
    client: httpx.AsyncClient,
) -> None:
    await create_user(email="bob@example.com")
    wrong_password = await client.post(
        "/api/auth/login", json={"email": "bob@example.com", "password": "not-the-password"}
    )
    unknown_email = await client.post(
        "/api/auth/login", json={"email": "eve@example.com", "password": DEFAULT_PASSWORD}
    )
    expected = _error(401, "Invalid email or password", "Unauthorized")
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json() == expected


async def test_passwords_are_taken_exactly_as_typed(client: httpx.AsyncClient) -> None:
    padded = "  spaced out  "
    assert (await _register(client, password=padded)).status_code == 201
    trimmed = await client.post(
        "/api/auth/login", json={"email": "jane@example.com", "password": padded.strip()}
    )
    assert trimmed.status_code == 401
    exact = await client.post(
        "/api/auth/login", json={"email": "jane@example.com", "password": padded}
    )
    assert exact.status_code == 201


async def test_login_with_missing_or_empty_fields_is_400(client: httpx.AsyncClient) -> None:
    res = await client.post("/api/auth/login", json={"email": "bob@example.com"})
    assert res.status_code == 400
    assert res.json()["message"] == "password: Field required"
    res = await client.post("/api/auth/login", json={"email": "bob@example.com", "password": ""})
    assert res.status_code == 400
    assert res.json()["message"] == "password: String should have at least 1 character"


# Who am I, and which tokens are refused


async def test_me_returns_the_profile(client: httpx.AsyncClient) -> None:
    user, headers = await user_with_headers(name="Jane", email="jane@example.com")
    res = await client.get("/api/auth/me", headers=headers)
    assert res.status_code == 200
    assert res.json() == {
        "user": {
            "id": str(user.id),
            "email": "jane@example.com",
            "name": "Jane",
            "pilotageRole": "owner",
        }
    }


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Missing bearer token"),
        ({"Authorization": "Bearer "}, "Missing bearer token"),
        ({"Authorization": "Basic amFuZTpwYXNz"}, "Missing bearer token"),
        ({"Authorization": "Bearer nonsense"}, "Invalid token"),
        ({"Authorization": "Bearer rtp_" + "x" * 40}, "Invalid token"),
        ({"Authorization": "Bearer rtg_" + "x" * 40}, "Guest token is not valid"),
        ({"Authorization": "Bearer eyJ" + "a" * 3000 + ".b.c"}, "Invalid token"),
    ],
)
async def test_me_refuses_missing_and_unknown_tokens(
    client: httpx.AsyncClient, headers: dict[str, str], message: str
) -> None:
    res = await client.get("/api/auth/me", headers=headers)
    assert res.status_code == 401
    assert res.json() == _error(401, message, "Unauthorized")


async def test_an_expired_jwt_is_401(client: httpx.AsyncClient) -> None:
    user = await create_user()
    past = datetime.now(UTC) - timedelta(hours=2)
    token = jwt.encode(
        _claims(user, iat=past, exp=past + timedelta(hours=1)), TEST_SECRET, algorithm="HS256"
    )
    res = await client.get("/api/auth/me", headers=bearer(token))
    assert res.status_code == 401
    assert res.json() == _error(401, "Token has expired", "Unauthorized")


async def test_jwts_that_are_unsigned_forged_or_incomplete_are_401(
    client: httpx.AsyncClient,
) -> None:
    user = await create_user()
    forged = [
        jwt.encode(_claims(user), None, algorithm="none"),
        jwt.encode(_claims(user), "another-secret-key-" + "y" * 32, algorithm="HS256"),
        jwt.encode(_claims(user), TEST_SECRET, algorithm="HS384"),
        jwt.encode(_claims(user, exp=None), TEST_SECRET, algorithm="HS256"),
        jwt.encode(_claims(user, sub="not-a-uuid"), TEST_SECRET, algorithm="HS256"),
    ]
    for token in forged:
        res = await client.get("/api/auth/me", headers=bearer(token))
        assert res.status_code == 401, token
        assert res.json() == _error(401, "Invalid token", "Unauthorized")


async def test_a_jwt_for_an_account_that_is_gone_is_401(client: httpx.AsyncClient) -> None:
    ghost = jwt.encode(
        _claims(await create_user(), sub=str(uuid.uuid4())), TEST_SECRET, algorithm="HS256"
    )
    res = await client.get("/api/auth/me", headers=bearer(ghost))
    assert res.status_code == 401
    assert res.json() == _error(401, "Token is no longer valid", "Unauthorized")


async def test_a_pat_reads_the_profile_only_with_account_read(client: httpx.AsyncClient) -> None:
    user, headers = await user_with_headers()
    reader = await _pat(client, headers, "account:read")
    res = await client.get("/api/auth/me", headers=bearer(reader))
    assert res.status_code == 200
    assert res.json()["user"]["id"] == str(user.id)
    outsider = await _pat(client, headers, "projects:read", "poker:write")
    res = await client.get("/api/auth/me", headers=bearer(outsider))
    assert res.status_code == 403
    assert res.json() == _error(403, "This token lacks the 'account:read' scope", "Forbidden")


# Profile updates


async def test_patch_me_changes_the_name(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers(name="Jane Doe")
    res = await client.patch("/api/auth/me", json={"name": "  Jane Smith "}, headers=headers)
    assert res.status_code == 200
    assert res.json()["user"]["name"] == "Jane Smith"
    assert res.json()["user"]["pilotageRole"] == "owner"
    again = await client.get("/api/auth/me", headers=headers)
    assert again.json()["user"]["name"] == "Jane Smith"


async def test_patch_me_with_nothing_changes_nothing(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers(name="Jane Doe")
    res = await client.patch("/api/auth/me", json={}, headers=headers)
    assert res.status_code == 200
    assert res.json()["user"]["name"] == "Jane Doe"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "n" * 101}, "name: String should have at most 100 characters"),
        ({"name": 7}, "name: Input should be a valid string"),
        ({"email": "new@example.com"}, "email: Extra inputs are not permitted"),
    ],
)
async def test_patch_me_rejects_bad_input(
    client: httpx.AsyncClient, body: dict[str, Any], message: str
) -> None:
    user, headers = await user_with_headers(name="Kept")
    res = await client.patch("/api/auth/me", json=body, headers=headers)
    assert res.status_code == 400
    assert res.json()["message"] == message
    stored = await User.get(id=user.id)
    assert (stored.name, stored.email) == ("Kept", user.email)


async def test_patch_me_with_a_pat_needs_account_write(client: httpx.AsyncClient) -> None:
    user, headers = await user_with_headers(name="Kept")
    reader = await _pat(client, headers, "account:read")
    res = await client.patch("/api/auth/me", json={"name": "Nope"}, headers=bearer(reader))
    assert res.status_code == 403
    assert res.json() == _error(403, "This token lacks the 'account:write' scope", "Forbidden")
    writer = await _pat(client, headers, "account:write")
    res = await client.patch("/api/auth/me", json={"name": "Yes"}, headers=bearer(writer))
    assert res.status_code == 200
    assert (await User.get(id=user.id)).name == "Yes"


async def test_patch_me_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    res = await client.patch("/api/auth/me", json={"name": "x"})
    assert res.status_code == 401
    assert res.json() == _error(401, "Missing bearer token", "Unauthorized")


# Password changes


async def _change(
    client: httpx.AsyncClient, headers: dict[str, Any], current: str, new: str
) -> httpx.Response:
    return await client.post(
        "/api/auth/change-password",
        json={"currentPassword": current, "newPassword": new},
        headers=headers,
    )


async def test_change_password_signs_out_every_earlier_jwt(client: httpx.AsyncClient) -> None:
    user, headers = await user_with_headers(email="jane@example.com")
    other_device = bearer(jwt_for(user))
    res = await _change(client, headers, DEFAULT_PASSWORD, "brand-new-pass")
    assert res.status_code == 200
    assert res.json()["message"] == "Password changed"
    fresh = bearer(res.json()["access_token"])
    for old in (headers, other_device):
        gone = await client.get("/api/auth/me", headers=old)
        assert gone.status_code == 401
        assert gone.json() == _error(401, "Token is no longer valid", "Unauthorized")
    assert (await client.get("/api/auth/me", headers=fresh)).status_code == 200
    old_login = await client.post(
        "/api/auth/login", json={"email": "jane@example.com", "password": DEFAULT_PASSWORD}
    )
    assert old_login.status_code == 401
    new_login = await client.post(
        "/api/auth/login", json={"email": "jane@example.com", "password": "brand-new-pass"}
    )
    assert new_login.status_code == 201


async def test_change_password_with_a_wrong_current_password_is_403(
    client: httpx.AsyncClient,
) -> None:
    _, headers = await user_with_headers()
    res = await _change(client, headers, "not-my-password", "brand-new-pass")
    assert res.status_code == 403
    assert res.json() == _error(403, "Current password is incorrect", "Forbidden")
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 200


async def test_change_password_refuses_a_pat(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    pat = await _pat(client, headers, "account:write")
    res = await _change(client, bearer(pat), DEFAULT_PASSWORD, "brand-new-pass")
    assert res.status_code == 403
    assert res.json() == _error(
        403, "This endpoint requires a JWT, not a personal access token", "Forbidden"
    )
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"newPassword": "brand-new-pass"}, "currentPassword: Field required"),
        ({"currentPassword": DEFAULT_PASSWORD}, "newPassword: Field required"),
        (
            {"currentPassword": DEFAULT_PASSWORD, "newPassword": "short"},
            "newPassword: String should have at least 8 characters",
        ),
        (
            {"currentPassword": DEFAULT_PASSWORD, "newPassword": DEFAULT_PASSWORD},
            "newPassword: must differ from the current password",
        ),
        (
            {"currentPassword": "", "newPassword": "brand-new-pass"},
            "currentPassword: String should have at least 1 character",
        ),
    ],
)
async def test_change_password_rejects_bad_input(
    client: httpx.AsyncClient, body: dict[str, Any], message: str
) -> None:
    _, headers = await user_with_headers()
    res = await client.post("/api/auth/change-password", json=body, headers=headers)
    assert res.status_code == 400
    assert res.json()["message"] == message
    assert res.json()["error"] == "Bad Request"
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 200


async def test_openapi_documents_the_auth_endpoints(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/api/openapi.json")).json()
    assert {"/api/auth/register", "/api/auth/login", "/api/auth/me"} <= set(doc["paths"])
    assert set(doc["paths"]["/api/auth/me"]) == {"get", "patch"}
    register = doc["components"]["schemas"]["UserRegister"]
    assert register["required"] == ["email", "password"]
    assert register["properties"]["email"]["format"] == "email"
    change = doc["components"]["schemas"]["PasswordChange"]
    assert set(change["properties"]) == {"currentPassword", "newPassword"}
    login = doc["paths"]["/api/auth/login"]["post"]["responses"]
    assert "201" in login and "401" in login
