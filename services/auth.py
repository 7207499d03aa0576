"""Turns a bearer token (JWT, PAT or guest token) into an Actor."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from models import ApiToken
from services import group_commit
from services.actors import Actor
from services.errors import Forbidden, Unauthorized
from services.scopes import MCP
from services.security import GUEST_PREFIX, PAT_PREFIX, decode_jwt, looks_like_jwt, sha256

MAX_TOKEN_LENGTH = 2048
_USER = "SELECT name, email, token_version FROM users WHERE id = ?"
_TOKEN_NAME = "SELECT name FROM api_tokens WHERE id = ?"
_PAT = (
    "SELECT t.*, u.name AS user_name, u.email AS user_email FROM api_tokens t"
    " JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?"
)
_GUEST = "SELECT id, name, session_id, removed_at FROM participants WHERE token_hash = ?"
# lastUsedAt is written at most this often per token, so reads stay reads.
_LAST_USED_GRANULARITY = timedelta(minutes=1)


async def authenticate(token: str | None) -> Actor:
    if not token:
        raise Unauthorized("Missing bearer token")
    if len(token) > MAX_TOKEN_LENGTH:
        raise Unauthorized("Invalid token")
    if looks_like_jwt(token):
        return await _from_jwt(token)
    if token.startswith(PAT_PREFIX):
        return await _from_pat(token)
    if token.startswith(GUEST_PREFIX):
        return await _from_guest(token)
    raise Unauthorized("Invalid token")


async def _from_jwt(token: str) -> Actor:
    claims = decode_jwt(token)
    try:
        user_id = uuid.UUID(str(claims["sub"]))
    except ValueError:
        raise Unauthorized("Invalid token") from None
    # Plain SQL, sharing SQLite's next hop when the connection is busy
    # (`group_commit.row`): this read comes with every request and every socket connect.
    user = await group_commit.row(_USER, str(user_id))
    if user is None or claims.get("ver", 0) != user["token_version"]:
        raise Unauthorized("Token is no longer valid")
    return Actor(kind="user", name=user["name"] or user["email"], via="jwt", user_id=user_id)


async def _from_pat(token: str) -> Actor:
    # Plain SQL, as for a JWT: bots and agents send a token with every request.
    found = await group_commit.row(_PAT, sha256(token))
    if found is None:
        raise Unauthorized("Invalid token")
    user_name, user_email = found.pop("user_name"), found.pop("user_email")
    row = ApiToken._init_from_db(**found)
    if row.revoked_at is not None:
        raise Unauthorized("Token has been revoked")
    now = datetime.now(UTC)
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthorized("Token has expired")
    if row.last_used_at is None or now - row.last_used_at > _LAST_USED_GRANULARITY:
        await ApiToken.filter(id=row.id).update(last_used_at=now)
    return Actor(
        kind="user",
        name=user_name or user_email,
        via="pat",
        user_id=row.user_id,
        scopes=frozenset(row.scopes),
        token_id=row.id,
    )


async def _from_guest(token: str) -> Actor:
    row = await group_commit.row(_GUEST, sha256(token))
    if row is None or row["removed_at"] is not None:
        raise Unauthorized("Guest token is not valid")
    return Actor(
        kind="guest",
        name=row["name"],
        via="guest",
        participant_id=row["id"],
        session_id=uuid.UUID(str(row["session_id"])),
    )


async def authenticate_agent(token: str | None) -> Actor:
    """An AI agent or bot on the MCP face: a personal access token holding the `mcp`
    scope, never a JWT (a browser's session) nor a guest token. The agent acts as the
    token's owner, named after the token, so activity shows which agent did what."""
    actor = await authenticate(token)
    if actor.via != "pat" or actor.token_id is None:
        raise Unauthorized("The MCP endpoint takes a personal access token with the 'mcp' scope")
    if not actor.has_scope(MCP):
        raise Forbidden("This token lacks the 'mcp' scope")
    name = await group_commit.row(_TOKEN_NAME, str(actor.token_id))
    label = name["name"] if name else "token"
    return replace(actor, kind="agent", name=f"{label} via MCP")


def require_user(actor: Actor) -> uuid.UUID:
    """The caller's account id; guests have none."""
    if actor.user_id is None:
        raise Forbidden("This needs a signed-in account")
    return actor.user_id


def require_jwt(actor: Actor) -> uuid.UUID:
    """Token management needs a JWT, so a PAT cannot mint or widen tokens."""
    user_id = require_user(actor)
    if actor.via != "jwt":
        raise Forbidden("This endpoint requires a JWT, not a personal access token")
    return user_id
