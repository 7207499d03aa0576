"""Personal access token rules: minting, scopes, expiry, the cap, revocation and its hook."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from models import ApiToken, User
from services import events, tokens
from services.actors import Actor
from services.auth import authenticate
from services.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from services.scopes import ALL as ALL_SCOPES
from services.security import sha256
from tests.factories import create_user

pytestmark = pytest.mark.usefixtures("db")


def _jwt(user: User) -> Actor:
    return Actor(kind="user", name=user.name, via="jwt", user_id=user.id)


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


async def test_a_new_token_has_every_scope_by_default_and_stores_only_its_hash() -> None:
    user = await create_user()
    row, token = await tokens.create_token(actor=_jwt(user), name=" CI Pipeline ")
    assert token.startswith("rtp_")
    assert row.name == "CI Pipeline"
    assert row.prefix == token[:12]
    assert list(row.scopes) == list(ALL_SCOPES)
    assert row.expires_at is None
    stored = await ApiToken.get(id=row.id)
    assert stored.token_hash == sha256(token)
    assert token not in (stored.token_hash, stored.prefix, stored.name)
    actor = await authenticate(token)
    assert actor.via == "pat" and actor.user_id == user.id and actor.token_id == row.id


async def test_scopes_are_kept_deduplicated_in_their_canonical_order() -> None:
    user = await create_user()
    row, token = await tokens.create_token(
        actor=_jwt(user), name="t", scopes=["projects:write", "projects:read", "projects:read"]
    )
    assert row.scopes == ["projects:read", "projects:write"]
    actor = await authenticate(token)
    assert actor.has_scope("projects:read") and not actor.has_scope("account:read")


async def test_unknown_and_empty_scopes_are_refused() -> None:
    user = await create_user()
    with pytest.raises(ValidationFailed, match="unknown scope admin:all"):
        await tokens.create_token(actor=_jwt(user), name="t", scopes=["projects:read", "admin:all"])
    with pytest.raises(ValidationFailed, match="at least one scope"):
        await tokens.create_token(actor=_jwt(user), name="t", scopes=[])
    assert await ApiToken.filter(user_id=user.id).count() == 0


async def test_a_token_needs_a_name_of_at_most_100_characters() -> None:
    user = await create_user()
    with pytest.raises(ValidationFailed, match="name: must not be empty"):
        await tokens.create_token(actor=_jwt(user), name="   ")
    with pytest.raises(ValidationFailed, match="name: must be at most 100"):
        await tokens.create_token(actor=_jwt(user), name="n" * 101)


async def test_expiry_must_be_in_the_future_and_a_naive_date_is_utc() -> None:
    user = await create_user()
    with pytest.raises(ValidationFailed, match="expiresAt: must be in the future"):
        await tokens.create_token(
            actor=_jwt(user), name="t", expires_at=datetime.now(UTC) - timedelta(seconds=1)
        )
    row, _ = await tokens.create_token(actor=_jwt(user), name="t", expires_at=datetime(2999, 1, 1))
    assert row.expires_at == datetime(2999, 1, 1, tzinfo=UTC)


async def test_an_expired_token_is_refused() -> None:
    user = await create_user()
    row, token = await tokens.create_token(
        actor=_jwt(user), name="t", expires_at=datetime.now(UTC) + timedelta(hours=1)
    )
    await ApiToken.filter(id=row.id).update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    with pytest.raises(Unauthorized, match="expired"):
        await authenticate(token)


async def test_tokens_are_managed_only_with_a_jwt() -> None:
    user = await create_user()
    row, token = await tokens.create_token(actor=_jwt(user), name="t")
    pat = await authenticate(token)
    with pytest.raises(Forbidden, match="requires a JWT"):
        await tokens.create_token(actor=pat, name="wider")
    with pytest.raises(Forbidden, match="requires a JWT"):
        await tokens.list_tokens(actor=pat)
    with pytest.raises(Forbidden, match="requires a JWT"):
        await tokens.revoke_token(actor=pat, token_id=row.id)
    assert await ApiToken.filter(user_id=user.id).count() == 1


async def test_the_list_holds_only_the_callers_live_and_expired_tokens_newest_first() -> None:
    user, other = await create_user(), await create_user()
    first, _ = await tokens.create_token(actor=_jwt(user), name="first")
    second, _ = await tokens.create_token(actor=_jwt(user), name="second")
    gone, _ = await tokens.create_token(actor=_jwt(user), name="gone")
    await tokens.create_token(actor=_jwt(other), name="not yours")
    await tokens.revoke_token(actor=_jwt(user), token_id=gone.id)
    listed = await tokens.list_tokens(actor=_jwt(user))
    assert [t.name for t in listed] == ["second", "first"]
    assert {t.id for t in listed} == {first.id, second.id}


async def test_revoking_stops_the_token_and_tells_the_hook_after_commit(
    revoked_ids: list[uuid.UUID],
) -> None:
    user = await create_user()
    row, token = await tokens.create_token(actor=_jwt(user), name="t")
    revoked = await tokens.revoke_token(actor=_jwt(user), token_id=row.id)
    assert revoked.revoked_at is not None
    assert revoked_ids == [row.id]
    with pytest.raises(Unauthorized, match="revoked"):
        await authenticate(token)
    with pytest.raises(NotFound):
        await tokens.revoke_token(actor=_jwt(user), token_id=row.id)
    assert revoked_ids == [row.id]


async def test_a_failing_hook_does_not_undo_the_revocation(revoked_ids: list[uuid.UUID]) -> None:
    async def broken(facts: list[events.Fact]) -> None:
        raise RuntimeError("socket layer is down")

    events.subscribe(broken)
    try:
        user = await create_user()
        row, token = await tokens.create_token(actor=_jwt(user), name="t")
        await tokens.revoke_token(actor=_jwt(user), token_id=row.id)
    finally:
        events.unsubscribe(broken)
    assert revoked_ids == [row.id]
    with pytest.raises(Unauthorized):
        await authenticate(token)


async def test_another_accounts_token_looks_like_no_token_at_all(
    revoked_ids: list[uuid.UUID],
) -> None:
    owner, stranger = await create_user(), await create_user()
    row, token = await tokens.create_token(actor=_jwt(owner), name="t")
    with pytest.raises(NotFound) as theirs:
        await tokens.revoke_token(actor=_jwt(stranger), token_id=row.id)
    with pytest.raises(NotFound) as missing:
        await tokens.revoke_token(actor=_jwt(stranger), token_id=uuid.uuid4())
    assert theirs.value.message == missing.value.message
    assert revoked_ids == []
    assert (await authenticate(token)).user_id == owner.id


async def test_at_most_50_live_tokens_and_revoked_or_expired_ones_do_not_count() -> None:
    user = await create_user()
    rows = [
        (await tokens.create_token(actor=_jwt(user), name=f"t{i}"))[0]
        for i in range(tokens.MAX_LIVE_TOKENS)
    ]
    with pytest.raises(Conflict, match="50 active tokens"):
        await tokens.create_token(actor=_jwt(user), name="one too many")
    await tokens.revoke_token(actor=_jwt(user), token_id=rows[0].id)
    await tokens.create_token(actor=_jwt(user), name="replacement")
    await ApiToken.filter(id=rows[1].id).update(expires_at=datetime.now(UTC) - timedelta(days=1))
    await tokens.create_token(actor=_jwt(user), name="after expiry")
    with pytest.raises(Conflict):
        await tokens.create_token(actor=_jwt(user), name="full again")
