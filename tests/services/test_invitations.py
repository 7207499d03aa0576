"""Invitation rules with no transport: one-time tokens, expiry, revocation, acceptance."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models import Invitation, OrgMember, WorkspaceMember
from services.boards import invitations, mailer
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.security import sha256
from tests.factories import Board, add_member, create_board, create_user, user_actor

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture(autouse=True)
def no_mail() -> Iterator[None]:
    mailer.configure(smtp=None)
    yield
    mailer.configure(smtp=None)


async def _invite(board: Board, email: str, role: str = "member") -> dict[str, Any]:
    return await invitations.invite(
        actor=user_actor(board.owner),
        org_slug=board.org.slug,
        ws_slug=board.workspace.slug,
        email=email,
        role=role,
    )


async def test_an_invitation_carries_a_one_time_token_stored_only_as_its_hash() -> None:
    board = await create_board()
    before = datetime.now(UTC)
    inv = await _invite(board, " Teammate@Company.com ", "admin")
    token = str(inv["token"])
    assert token.startswith("rti_")
    assert inv["link"] == f"/invitations/{token}"
    assert (inv["email"], inv["role"], inv["status"], inv["emailSent"]) == (
        "teammate@company.com",
        "admin",
        "pending",
        False,
    )
    row = await Invitation.get(id=inv["id"])
    assert row.token_hash == sha256(token) and token not in row.token_hash
    after = datetime.now(UTC)
    assert before + timedelta(days=7) <= row.expires_at <= after + timedelta(days=7)


async def test_only_workspace_admins_invite_and_see_invitations() -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    where = {"org_slug": board.org.slug, "ws_slug": board.workspace.slug}
    with pytest.raises(Forbidden):
        await invitations.invite(actor=user_actor(member), email="x@example.com", **where)
    with pytest.raises(Forbidden):
        await invitations.list_invitations(actor=user_actor(member), **where)
    with pytest.raises(NotFound):
        await invitations.invite(
            actor=user_actor(await create_user()), email="x@example.com", **where
        )


@pytest.mark.parametrize("email", ["nobody", "a@b", "@example.com", "a b@example.com"])
async def test_bad_addresses_and_roles_are_refused(email: str) -> None:
    board = await create_board()
    with pytest.raises(ValidationFailed, match="email"):
        await _invite(board, email)
    with pytest.raises(ValidationFailed, match="role"):
        await _invite(board, "ok@example.com", "owner")


async def test_existing_members_cannot_be_invited() -> None:
    board = await create_board()
    member = await create_user(email="in@example.com")
    await add_member(board, member)
    with pytest.raises(Conflict, match="already a member"):
        await _invite(board, "IN@example.com")


async def test_re_inviting_replaces_the_pending_invitation() -> None:
    board = await create_board()
    first = await _invite(board, "again@example.com")
    second = await _invite(board, "again@example.com", "admin")
    listed = await invitations.list_invitations(
        actor=user_actor(board.owner), org_slug=board.org.slug, ws_slug=board.workspace.slug
    )
    assert [(i["id"], i["role"]) for i in listed] == [(second["id"], "admin")]
    assert all("token" not in i for i in listed)
    user = await create_user(email="again@example.com")
    with pytest.raises(NotFound):
        await invitations.accept_invitation(actor=user_actor(user), token=str(first["token"]))


async def test_accepting_joins_the_workspace_and_the_org_with_the_invited_role() -> None:
    board = await create_board()
    inv = await _invite(board, "new@example.com", "admin")
    user = await create_user(email="new@example.com")
    joined = await invitations.accept_invitation(actor=user_actor(user), token=str(inv["token"]))
    assert (joined["id"], joined["myRole"], joined["myPilotageRole"]) == (
        str(board.workspace.id),
        "admin",
        "viewer",
    )
    assert joined["organizationSlug"] == board.org.slug
    assert (await OrgMember.get(org_id=board.org.id, user_id=user.id)).role == "member"
    assert (await WorkspaceMember.get(workspace_id=board.workspace.id, user_id=user.id)).role == (
        "admin"
    )
    with pytest.raises(Conflict, match="already been accepted"):
        await invitations.accept_invitation(actor=user_actor(user), token=str(inv["token"]))


async def test_an_org_admin_keeps_their_org_role_when_accepting() -> None:
    board = await create_board()
    admin = await create_user(email="boss@example.com")
    await OrgMember.create(org=board.org, user=admin, role="admin")
    inv = await _invite(board, "boss@example.com")
    await invitations.accept_invitation(actor=user_actor(admin), token=str(inv["token"]))
    assert (await OrgMember.get(org_id=board.org.id, user_id=admin.id)).role == "admin"


async def test_only_the_invited_address_can_accept() -> None:
    board = await create_board()
    inv = await _invite(board, "right@example.com")
    wrong = await create_user(email="wrong@example.com")
    with pytest.raises(Forbidden, match="another email"):
        await invitations.accept_invitation(actor=user_actor(wrong), token=str(inv["token"]))
    assert not await WorkspaceMember.filter(user_id=wrong.id).exists()


async def test_expired_revoked_and_unknown_tokens_are_refused() -> None:
    board = await create_board()
    user = await create_user(email="late@example.com")
    inv = await _invite(board, "late@example.com")
    await Invitation.filter(id=inv["id"]).update(expires_at=datetime.now(UTC) - timedelta(1))
    with pytest.raises(Conflict, match="Invitation has expired"):
        await invitations.accept_invitation(actor=user_actor(user), token=str(inv["token"]))
    listed = await invitations.list_invitations(
        actor=user_actor(board.owner), org_slug=board.org.slug, ws_slug=board.workspace.slug
    )
    assert [i["status"] for i in listed] == ["expired"]
    fresh = await _invite(board, "late@example.com")
    await invitations.revoke_invitation(
        actor=user_actor(board.owner),
        org_slug=board.org.slug,
        ws_slug=board.workspace.slug,
        invitation_id=fresh["id"],
    )
    for token in (str(fresh["token"]), "rti_unknown", ""):
        with pytest.raises(NotFound, match="Invitation not found"):
            await invitations.accept_invitation(actor=user_actor(user), token=token)


async def test_revoking_needs_an_admin_and_a_pending_invitation_of_this_workspace() -> None:
    board, other = await create_board(), await create_board()
    inv = await _invite(board, "r@example.com")
    theirs = await _invite(other, "r@example.com")
    member = await create_user()
    await add_member(board, member)
    where = {"org_slug": board.org.slug, "ws_slug": board.workspace.slug}
    with pytest.raises(Forbidden):
        await invitations.revoke_invitation(
            actor=user_actor(member), invitation_id=inv["id"], **where
        )
    for bad in (theirs["id"], "not-a-uuid"):
        with pytest.raises(NotFound):
            await invitations.revoke_invitation(
                actor=user_actor(board.owner), invitation_id=bad, **where
            )
    user = await create_user(email="r@example.com")
    await invitations.accept_invitation(actor=user_actor(user), token=str(inv["token"]))
    with pytest.raises(Conflict, match="already been accepted"):
        await invitations.revoke_invitation(
            actor=user_actor(board.owner), invitation_id=inv["id"], **where
        )


async def test_a_failed_email_keeps_the_invitation_and_says_so() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    mailer.configure(smtp=mailer.SmtpSettings(host="127.0.0.1", port=closed_port))
    board = await create_board()
    inv = await _invite(board, "lost@example.com")
    assert inv["emailSent"] is False
    assert await Invitation.filter(id=inv["id"]).exists()


async def test_concurrent_accepts_have_one_winner() -> None:
    board = await create_board()
    inv = await _invite(board, "twice@example.com")
    user = await create_user(email="twice@example.com")
    results = await asyncio.gather(
        *(
            invitations.accept_invitation(actor=user_actor(user), token=str(inv["token"]))
            for _ in range(3)
        ),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, BaseException))
    assert await WorkspaceMember.filter(user_id=user.id).count() == 1
