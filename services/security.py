"""Password hashing, token minting and JWT signing."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.errors import Unauthorized

PAT_PREFIX = "rtp_"
GUEST_PREFIX = "rtg_"
JWT_ALGORITHM = "HS256"
# JWTs whose signature is known good, most recently used first.
VERIFIED_JWTS = 4096

_hasher = PasswordHasher()


class _Keys:
    secret: str = ""
    jwt_ttl_seconds: int = 7 * 24 * 3600


def configure(*, secret_key: str, jwt_ttl_seconds: int) -> None:
    """Called once at start-up with the server's settings."""
    _Keys.secret = secret_key
    _Keys.jwt_ttl_seconds = jwt_ttl_seconds


def server_secret() -> str:
    """The server's SECRET_KEY, from which other keys are derived."""
    if not _Keys.secret:
        raise RuntimeError("services.security.configure() was not called")
    return _Keys.secret


async def hash_password(password: str) -> str:
    # argon2 is deliberately slow; keep it off the event loop.
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    def _verify() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(_verify)


def sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(30)


def issue_jwt(user_id: uuid.UUID, token_version: int) -> str:
    if not _Keys.secret:
        raise RuntimeError("services.security.configure() was not called")
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "ver": token_version,
        "iat": now,
        "exp": now + timedelta(seconds=_Keys.jwt_ttl_seconds),
    }
    return jwt.encode(claims, _Keys.secret, algorithm=JWT_ALGORITHM)


def decode_jwt(token: str) -> dict[str, Any]:
    """The claims of a JWT this server signed, if it has not expired. Who the claims
    name, and whether their `ver` still holds, is for the caller to read."""
    try:
        claims = _verified(token, _Keys.secret)
    except jwt.PyJWTError:
        raise Unauthorized("Invalid token") from None
    if claims["exp"] <= time.time():
        raise Unauthorized("Token has expired")
    return dict(claims)


@functools.lru_cache(maxsize=VERIFIED_JWTS)
def _verified(token: str, secret: str) -> dict[str, Any]:
    """A signature checked once per token and key: a user's tabs, their reconnects and
    each socket's periodic re-read present the same token again and again, and checking
    it (PyJWT vets the key on every call) cost about a tenth of a socket's admission.
    Only a token that verifies is kept; the expiry is checked on every use."""
    claims: dict[str, Any] = jwt.decode(
        token,
        secret,
        algorithms=[JWT_ALGORITHM],
        options={"require": ["exp", "iat", "sub"], "verify_exp": False},
    )
    if not isinstance(claims["exp"], int | float):
        raise jwt.InvalidTokenError("exp is not a number")
    return claims


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("eyJ")
