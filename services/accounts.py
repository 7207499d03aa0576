"""Accounts: registration, login, the profile and password changes."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models import User, WorkspaceMember
from services import security, throttle
from services.actors import Actor
from services.auth import require_jwt, require_user
from services.boards.orgs import create_personal_space
from services.errors import (
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthorized,
    invalid_field,
)
from services.events import PasswordChanged, unit_of_work

log = logging.getLogger("roundtable.accounts")

PASSWORD_MIN = 8
PASSWORD_MAX = 128
NAME_MAX = 100
EMAIL_MAX = 254
# An account without a personal workspace (made before they existed) pilots its own space.
PERSONAL_PILOTAGE_ROLE = "owner"

_BAD_CREDENTIALS = "Invalid email or password"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_password(password: str, field: str = "password") -> None:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise invalid_field(field, f"must be {PASSWORD_MIN} to {PASSWORD_MAX} characters")


def _clean_name(name: str) -> str:
    name = name.strip()
    if len(name) > NAME_MAX:
        raise invalid_field("name", f"must be at most {NAME_MAX} characters")
    if "\x00" in name:
        # PostgreSQL cannot store NUL in text.
        raise invalid_field("name", "must not contain NUL characters")
    return name


def _clean_email(email: str) -> str:
    email = normalise_email(email)
    if "@" not in email or len(email) > EMAIL_MAX:
        raise invalid_field("email", "must be a valid email address")
    return email


_decoy: list[str] = []


async def _decoy_hash() -> str:
    # Verifying against a real hash when the email is unknown costs the same time
    # as a wrong password, so timing does not reveal which addresses exist.
    if not _decoy:
        _decoy.append(await security.hash_password(security.new_token("decoy_")))
    return _decoy[0]


async def register(
    *,
    email: str,
    password: str,
    name: str = "",
    client_ip: str | None = None,
    per_ip_limit: str = "30/hour",
) -> tuple[User, str]:
    """Create an account; returns it with a fresh JWT.

    The 409 for a taken address is the seed's contract, and it tells whether an address
    has an account: attempts from one `client_ip` are limited, whatever their outcome.
    """
    if client_ip is not None:
        window = await throttle.current().hit(throttle.limit(per_ip_limit), "register", client_ip)
        if not window.allowed:
            raise RateLimited("Too many sign-ups from this address; try again later")
    email = _clean_email(email)
    _check_password(password)
    name = _clean_name(name)
    if await User.filter(email=email).exists():
        raise Conflict("An account with this email already exists")
    password_hash = await security.hash_password(password)
    for attempt in range(3):
        try:
            async with in_transaction():
                user = await User.create(email=email, name=name, password_hash=password_hash)
                await create_personal_space(user)
            break
        except IntegrityError:
            # Two sign-ups with the same email raced past the check above, or two with
            # the same local part raced for one personal slug: only the latter retries.
            if attempt == 2 or await User.filter(email=email).exists():
                raise Conflict("An account with this email already exists") from None
    return user, security.issue_jwt(user.id, user.token_version)


async def pilotage_role(user: User) -> str:
    """The account's pilotage role in its personal workspace."""
    member = await WorkspaceMember.filter(
        user_id=user.id, workspace__is_personal=True, workspace__owner_id=user.id
    ).first()
    return member.pilotage_role if member else PERSONAL_PILOTAGE_ROLE


async def login(*, email: str, password: str) -> tuple[User, str]:
    """Check the credentials; returns the account with a fresh JWT.

    A wrong email and a wrong password fail alike, in message and in time, so the
    answer never tells whether an address has an account.
    """
    user = await User.filter(email=normalise_email(email)).first()
    if user is None:
        await security.verify_password(await _decoy_hash(), password)
        raise Unauthorized(_BAD_CREDENTIALS)
    if not await security.verify_password(user.password_hash, password):
        raise Unauthorized(_BAD_CREDENTIALS)
    return user, security.issue_jwt(user.id, user.token_version)


async def _current_user(actor: Actor) -> User:
    user = await User.filter(id=require_user(actor)).first()
    if user is None:
        raise NotFound("Account not found")
    return user


async def get_profile(*, actor: Actor) -> User:
    return await _current_user(actor)


async def update_profile(*, actor: Actor, name: str | None = None) -> User:
    """Change the display name; fields left as None stay as they are."""
    user = await _current_user(actor)
    if name is not None:
        user.name = _clean_name(name)
        await user.save(update_fields=["name", "updated_at"])
    return user


async def change_password(*, actor: Actor, current_password: str, new_password: str) -> str:
    """Set a new password and return a fresh JWT; every JWT issued before stops working.

    A wrong current password is 403, not 401: the caller's token is still good, and
    a client that sees 401 would sign the user out.
    """
    user_id = require_jwt(actor)
    _check_password(new_password, "newPassword")
    if new_password == current_password:
        raise invalid_field("newPassword", "must differ from the current password")
    user = await User.filter(id=user_id).first()
    if user is None:
        raise NotFound("Account not found")
    if not await security.verify_password(user.password_hash, current_password):
        raise Forbidden("Current password is incorrect")
    new_hash = await security.hash_password(new_password)
    # Compare-and-swap on the old hash instead of a lock held across two argon2
    # runs: a concurrent change makes this one fail rather than silently win.
    async with unit_of_work() as uow:
        changed = await User.filter(id=user_id, password_hash=user.password_hash).update(
            password_hash=new_hash,
            token_version=F("token_version") + 1,
            updated_at=datetime.now(UTC),
        )
        if not changed:
            raise Conflict("The password was changed meanwhile; sign in again")
        await user.refresh_from_db(fields=["token_version"])
        # Once committed, the sockets opened with earlier JWTs close, on every worker.
        uow.record(PasswordChanged(user.id))
    return security.issue_jwt(user.id, user.token_version)
