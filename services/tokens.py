"""Personal access tokens: minting, listing and revoking.

Only a JWT may manage tokens, so a leaked PAT cannot mint a wider one or keep
itself alive. A token's value is shown once; the database keeps its SHA-256.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models import ApiToken, User
from services.actors import Actor
from services.auth import require_jwt
from services.errors import Conflict, NotFound, invalid_field
from services.events import TokenRevoked, unit_of_work
from services.scopes import ALL as ALL_SCOPES
from services.security import PAT_PREFIX, new_token, sha256

log = logging.getLogger("roundtable.tokens")

NAME_MAX = 100
MAX_LIVE_TOKENS = 50
# Enough to tell tokens apart in a list, far too little to guess the rest.
VISIBLE_PREFIX = 12


def _clean_scopes(scopes: Sequence[str] | None) -> list[str]:
    if scopes is None:
        return list(ALL_SCOPES)
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        raise invalid_field(
            "scopes", f"unknown scope {', '.join(unknown)}; known: {', '.join(ALL_SCOPES)}"
        )
    if not scopes:
        raise invalid_field("scopes", "choose at least one scope, or omit it for all of them")
    return [s for s in ALL_SCOPES if s in scopes]


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise invalid_field("name", "must not be empty")
    if len(name) > NAME_MAX:
        raise invalid_field("name", f"must be at most {NAME_MAX} characters")
    if "\x00" in name:
        # PostgreSQL text cannot hold NUL; refusing it keeps both backends alike.
        raise invalid_field("name", "must not contain NUL characters")
    return name


def _clean_expiry(expires_at: datetime | None, now: datetime) -> datetime | None:
    if expires_at is None:
        return None
    if expires_at.tzinfo is None:
        # A date without a zone is read as UTC, the zone every API answer uses.
        expires_at = expires_at.replace(tzinfo=UTC)
    if expires_at <= now:
        raise invalid_field("expiresAt", "must be in the future")
    return expires_at


def _live(user_id: uuid.UUID, now: datetime) -> Q:
    return Q(user_id=user_id, revoked_at__isnull=True) & (
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


async def create_token(
    *,
    actor: Actor,
    name: str,
    scopes: Sequence[str] | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Mint a token; returns the row and the token value, which is never shown again."""
    user_id = require_jwt(actor)
    now = datetime.now(UTC)
    name = _clean_name(name)
    granted = _clean_scopes(scopes)
    expires_at = _clean_expiry(expires_at, now)
    token = new_token(PAT_PREFIX)
    async with in_transaction():
        # Locking the owner serialises concurrent mints, so the cap holds under races.
        if await User.filter(id=user_id).select_for_update().first() is None:
            raise NotFound("Account not found")
        if await ApiToken.filter(_live(user_id, now)).count() >= MAX_LIVE_TOKENS:
            raise Conflict(
                f"You already have {MAX_LIVE_TOKENS} active tokens; revoke one to create another"
            )
        row = await ApiToken.create(
            user_id=user_id,
            name=name,
            prefix=token[:VISIBLE_PREFIX],
            token_hash=sha256(token),
            scopes=granted,
            expires_at=expires_at,
        )
    return row, token


async def list_tokens(*, actor: Actor) -> list[ApiToken]:
    """The caller's tokens, newest first; revoked ones are gone, expired ones stay visible."""
    user_id = require_jwt(actor)
    return await ApiToken.filter(user_id=user_id, revoked_at__isnull=True).order_by(
        "-created_at", "-id"
    )


async def revoke_token(*, actor: Actor, token_id: uuid.UUID) -> ApiToken:
    """Revoke one of the caller's tokens for good.

    Another account's token answers 404, exactly like a token that never existed.
    """
    user_id = require_jwt(actor)
    now = datetime.now(UTC)
    async with unit_of_work() as uow:
        revoked = await ApiToken.filter(
            id=token_id, user_id=user_id, revoked_at__isnull=True
        ).update(revoked_at=now)
        if not revoked:
            raise NotFound("API token not found")
        # Once committed, the sockets opened with it close, on every worker.
        uow.record(TokenRevoked(token_id))
    return await ApiToken.get(id=token_id)
