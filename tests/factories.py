"""Builders shared by the suites: users, tokens and auth headers."""

from __future__ import annotations

import functools
import itertools
from typing import Any

from argon2 import PasswordHasher

from models import User
from services.security import issue_jwt

DEFAULT_PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


@functools.cache
def _password_hash(password: str) -> str:
    # Hashing once per password keeps hundreds of users cheap to build.
    return PasswordHasher().hash(password)


async def create_user(
    *, email: str | None = None, name: str | None = None, password: str = DEFAULT_PASSWORD
) -> User:
    n = next(_counter)
    return await User.create(
        email=email or f"user{n}@example.com",
        name=name if name is not None else f"User {n}",
        password_hash=_password_hash(password),
    )


def jwt_for(user: User) -> str:
    return issue_jwt(user.id, user.token_version)


def bearer(token: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {token}"}


async def user_with_headers(**kwargs: Any) -> tuple[User, dict[str, Any]]:
    user = await create_user(**kwargs)
    return user, bearer(jwt_for(user))
