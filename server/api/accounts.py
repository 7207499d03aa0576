"""REST for accounts: register, login, the profile and password changes (seed 001)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from models import User
from server.api.routing import Api, Call
from server.api.schemas import CamelInput, CamelOutput, Email, NoNul, Output
from services import accounts
from services.scopes import ACCOUNT_READ, ACCOUNT_WRITE

api = Api("auth")

# Passwords are taken exactly as typed: trimming them would silently change them.
NewPassword = Annotated[
    str,
    StringConstraints(
        strip_whitespace=False, min_length=accounts.PASSWORD_MIN, max_length=accounts.PASSWORD_MAX
    ),
]
GivenPassword = Annotated[
    str, StringConstraints(strip_whitespace=False, min_length=1, max_length=accounts.PASSWORD_MAX)
]


class UserRegister(CamelInput):
    email: Email
    password: NewPassword = Field(description="8-128 characters")
    name: Annotated[str, StringConstraints(max_length=accounts.NAME_MAX), NoNul] = Field(
        default="", description="Display name"
    )


class UserLogin(CamelInput):
    email: Email
    password: GivenPassword


class UserUpdate(CamelInput):
    name: str | None = Field(default=None, max_length=accounts.NAME_MAX)


class PasswordChange(CamelInput):
    current_password: GivenPassword
    new_password: NewPassword = Field(description="8-128 characters")


class UserPublic(CamelOutput):
    id: uuid.UUID
    email: str
    name: str


class UserProfile(UserPublic):
    pilotage_role: str


class Registered(Output):
    access_token: str
    user: UserPublic


class LoggedIn(Output):
    access_token: str
    user: UserProfile


class Me(Output):
    user: UserProfile


class PasswordChanged(Output):
    access_token: str = Field(description="Tokens issued before the change no longer work")
    message: str


async def _profile(user: User) -> UserProfile:
    return UserProfile(
        id=user.id,
        email=user.email,
        name=user.name,
        pilotage_role=await accounts.pilotage_role(user),
    )


@api.route(
    "POST",
    "/auth/register",
    summary="Create an account and receive a JWT",
    body=UserRegister,
    response=Registered,
    status=201,
    auth="none",
    errors=(409, 429),
)
async def register(call: Call) -> Any:
    body: UserRegister = call.body
    client = call.request.client
    user, token = await accounts.register(
        email=body.email,
        password=body.password,
        name=body.name,
        client_ip=client.host if client else "unknown",
        per_ip_limit=call.request.app.state.settings.register_rate_limit,
    )
    return Registered(access_token=token, user=UserPublic.model_validate(user))


@api.route(
    "POST",
    "/auth/login",
    summary="Exchange email and password for a JWT",
    body=UserLogin,
    response=LoggedIn,
    status=201,
    auth="none",
    errors=(401,),
)
async def login(call: Call) -> Any:
    body: UserLogin = call.body
    user, token = await accounts.login(email=body.email, password=body.password)
    return LoggedIn(access_token=token, user=await _profile(user))


@api.route("GET", "/auth/me", summary="The signed-in account", response=Me, scope=ACCOUNT_READ)
async def me(call: Call) -> Any:
    return Me(user=await _profile(await accounts.get_profile(actor=call.user)))


@api.route(
    "PATCH",
    "/auth/me",
    summary="Update the signed-in account's profile",
    body=UserUpdate,
    response=Me,
    scope=ACCOUNT_WRITE,
)
async def update_me(call: Call) -> Any:
    body: UserUpdate = call.body
    user = await accounts.update_profile(actor=call.user, name=body.name)
    return Me(user=await _profile(user))


@api.route(
    "POST",
    "/auth/change-password",
    summary="Change the password; needs a JWT and signs out every other JWT",
    body=PasswordChange,
    response=PasswordChanged,
    scope=ACCOUNT_WRITE,
    errors=(409,),
)
async def change_password(call: Call) -> Any:
    body: PasswordChange = call.body
    token = await accounts.change_password(
        actor=call.user, current_password=body.current_password, new_password=body.new_password
    )
    return PasswordChanged(access_token=token, message="Password changed")
