"""Account rules: sign-up, sign-in, the profile and password changes, with no transport."""

from __future__ import annotations

import asyncio

import pytest

from models import User
from services import accounts
from services.actors import Actor
from services.auth import authenticate
from services.errors import Conflict, Forbidden, Unauthorized, ValidationFailed
from services.security import decode_jwt
from tests.factories import DEFAULT_PASSWORD, create_user, jwt_for

pytestmark = pytest.mark.usefixtures("db")


def _jwt_actor(user: User) -> Actor:
    return Actor(kind="user", name=user.name, via="jwt", user_id=user.id)


async def test_register_stores_a_lowercase_email_and_a_hash_and_signs_in() -> None:
    user, token = await accounts.register(
        email="  Jane.Doe@Example.COM ", password="secure-pass-123", name=" Jane Doe "
    )
    assert user.email == "jane.doe@example.com"
    assert user.name == "Jane Doe"
    assert "secure-pass-123" not in user.password_hash
    assert user.password_hash.startswith("$argon2")
    assert decode_jwt(token)["sub"] == str(user.id)
    actor = await authenticate(token)
    assert actor.user_id == user.id and actor.via == "jwt"


async def test_register_refuses_an_email_already_taken_in_any_case() -> None:
    await accounts.register(email="jane@example.com", password="secure-pass-123", name="Jane")
    with pytest.raises(Conflict, match="already exists"):
        await accounts.register(email="JANE@example.com", password="another-pass-1", name="J")
    assert await User.filter(email="jane@example.com").count() == 1


async def test_concurrent_registrations_with_one_email_make_one_account() -> None:
    results = await asyncio.gather(
        *(
            accounts.register(email="race@example.com", password="secure-pass-123", name=str(i))
            for i in range(3)
        ),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, BaseException))
    assert await User.filter(email="race@example.com").count() == 1


@pytest.mark.parametrize("password", ["short7!", "x" * 129])
async def test_register_enforces_password_length(password: str) -> None:
    with pytest.raises(ValidationFailed, match="password: must be 8 to 128 characters"):
        await accounts.register(email="a@example.com", password=password, name="A")
    assert not await User.exists(email="a@example.com")


async def test_register_accepts_the_password_length_bounds() -> None:
    await accounts.register(email="min@example.com", password="x" * 8)
    await accounts.register(email="max@example.com", password="x" * 128)
    assert await User.filter(email__in=["min@example.com", "max@example.com"]).count() == 2


async def test_register_refuses_a_long_name_and_a_malformed_email() -> None:
    with pytest.raises(ValidationFailed, match="name: must be at most 100 characters"):
        await accounts.register(email="a@example.com", password="secure-pass-123", name="n" * 101)
    with pytest.raises(ValidationFailed, match="email"):
        await accounts.register(email="not-an-email", password="secure-pass-123")


async def test_login_returns_the_account_and_a_working_jwt() -> None:
    created = await create_user(email="bob@example.com")
    user, token = await accounts.login(email="BOB@example.com", password=DEFAULT_PASSWORD)
    assert user.id == created.id
    assert (await authenticate(token)).user_id == created.id


async def test_login_fails_alike_for_an_unknown_email_and_a_wrong_password() -> None:
    await create_user(email="bob@example.com")
    with pytest.raises(Unauthorized) as wrong_password:
        await accounts.login(email="bob@example.com", password="not-the-password")
    with pytest.raises(Unauthorized) as unknown_email:
        await accounts.login(email="nobody@example.com", password=DEFAULT_PASSWORD)
    assert wrong_password.value.message == unknown_email.value.message
    assert wrong_password.value.message == "Invalid email or password"


async def test_profile_reads_and_updates_the_display_name() -> None:
    user = await create_user(name="Old Name")
    actor = _jwt_actor(user)
    assert (await accounts.get_profile(actor=actor)).name == "Old Name"
    updated = await accounts.update_profile(actor=actor, name="  New Name ")
    assert updated.name == "New Name"
    assert (await User.get(id=user.id)).name == "New Name"
    unchanged = await accounts.update_profile(actor=actor, name=None)
    assert unchanged.name == "New Name"


async def test_profile_name_has_a_length_cap() -> None:
    user = await create_user(name="Kept")
    with pytest.raises(ValidationFailed, match="at most 100"):
        await accounts.update_profile(actor=_jwt_actor(user), name="n" * 101)
    assert (await User.get(id=user.id)).name == "Kept"


async def test_guests_have_no_profile() -> None:
    guest = Actor(kind="guest", name="Guest", via="guest", participant_id=1)
    with pytest.raises(Forbidden, match="signed-in account"):
        await accounts.get_profile(actor=guest)


async def test_change_password_signs_out_old_jwts_and_returns_a_new_one() -> None:
    user = await create_user()
    old_token = jwt_for(user)
    new_token = await accounts.change_password(
        actor=_jwt_actor(user), current_password=DEFAULT_PASSWORD, new_password="brand-new-pass"
    )
    with pytest.raises(Unauthorized, match="no longer valid"):
        await authenticate(old_token)
    assert (await authenticate(new_token)).user_id == user.id
    with pytest.raises(Unauthorized):
        await accounts.login(email=user.email, password=DEFAULT_PASSWORD)
    again, _ = await accounts.login(email=user.email, password="brand-new-pass")
    assert again.id == user.id


async def test_change_password_needs_the_current_password() -> None:
    user = await create_user()
    with pytest.raises(Forbidden, match="Current password is incorrect"):
        await accounts.change_password(
            actor=_jwt_actor(user), current_password="wrong-password", new_password="brand-new-1"
        )
    stored = await User.get(id=user.id)
    assert stored.token_version == user.token_version
    await accounts.login(email=user.email, password=DEFAULT_PASSWORD)


async def test_change_password_refuses_a_pat_even_with_every_scope() -> None:
    user = await create_user()
    pat = Actor(kind="user", name="x", via="pat", user_id=user.id, scopes=None)
    with pytest.raises(Forbidden, match="requires a JWT"):
        await accounts.change_password(
            actor=pat, current_password=DEFAULT_PASSWORD, new_password="brand-new-pass"
        )


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("short", "newPassword: must be 8 to 128 characters"),
        ("y" * 129, "newPassword: must be 8 to 128 characters"),
        (DEFAULT_PASSWORD, "newPassword: must differ from the current password"),
    ],
)
async def test_change_password_checks_the_new_password(new_password: str, message: str) -> None:
    user = await create_user()
    with pytest.raises(ValidationFailed) as err:
        await accounts.change_password(
            actor=_jwt_actor(user), current_password=DEFAULT_PASSWORD, new_password=new_password
        )
    assert err.value.message == message
    await accounts.login(email=user.email, password=DEFAULT_PASSWORD)
