"""REST for personal access tokens (seed 001). Every endpoint needs a JWT, not a PAT."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from server.api.card_schemas import When
from server.api.routing import Api, Call
from server.api.schemas import CamelInput, CamelOutput, NoNul, Output
from services import tokens
from services.errors import NotFound
from services.scopes import ACCOUNT_READ, ACCOUNT_WRITE
from services.scopes import ALL as ALL_SCOPES

api = Api("tokens")

# The enum documents the scopes; the service still decides, so other edges agree.
Scope = Annotated[str, Field(max_length=64, json_schema_extra={"enum": list(ALL_SCOPES)})]


class TokenCreate(CamelInput):
    name: Annotated[str, StringConstraints(min_length=1, max_length=tokens.NAME_MAX), NoNul]
    scopes: list[Scope] | None = Field(
        default=None,
        max_length=len(ALL_SCOPES),
        description="Defaults to every scope; an empty list is refused",
        json_schema_extra={"minItems": 1},
    )
    expires_at: When | None = Field(
        default=None, description="ISO date in the future, or null for no expiry"
    )


class TokenPublic(CamelOutput):
    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    expires_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime


class TokenCreated(CamelOutput):
    id: uuid.UUID
    token: str = Field(description="Shown only in this answer; store it now")
    name: str
    prefix: str
    scopes: list[str]
    expires_at: datetime | None
    created_at: datetime


class TokenRevoked(Output):
    id: uuid.UUID
    revoked: bool


def _token_id(call: Call) -> uuid.UUID:
    try:
        return uuid.UUID(call.path["id"])
    except ValueError:
        raise NotFound("API token not found") from None


@api.route(
    "POST",
    "/api-tokens",
    summary="Create a personal access token; its value is shown once",
    body=TokenCreate,
    response=TokenCreated,
    status=201,
    scope=ACCOUNT_WRITE,
    errors=(409,),
)
async def create_token(call: Call) -> Any:
    body: TokenCreate = call.body
    row, token = await tokens.create_token(
        actor=call.user, name=body.name, scopes=body.scopes, expires_at=body.expires_at
    )
    return TokenCreated(
        id=row.id,
        token=token,
        name=row.name,
        prefix=row.prefix,
        scopes=row.scopes,
        expires_at=row.expires_at,
        created_at=row.created_at,
    )


@api.route(
    "GET",
    "/api-tokens",
    summary="List your tokens",
    response=list[TokenPublic],
    scope=ACCOUNT_READ,
)
async def list_tokens(call: Call) -> Any:
    rows = await tokens.list_tokens(actor=call.user)
    return [TokenPublic.model_validate(r).model_dump(mode="json", by_alias=True) for r in rows]


@api.route(
    "DELETE",
    "/api-tokens/{id}",
    summary="Revoke a token permanently",
    response=TokenRevoked,
    scope=ACCOUNT_WRITE,
    errors=(404,),
)
async def revoke_token(call: Call) -> Any:
    row = await tokens.revoke_token(actor=call.user, token_id=_token_id(call))
    return TokenRevoked(id=row.id, revoked=True)
