"""Invitations to a workspace: a one-time token, shown once to the inviting admin and
emailed when SMTP is configured; only its SHA-256 is stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from models import Invitation, Organization, User, Workspace, WorkspaceMember
from services.actors import Actor
from services.auth import require_user
from services.boards import mailer
from services.boards.access import WORKSPACE_ROLES, parse_id, workspace_access
from services.boards.orgs import check_role
from services.boards.workspaces import join_workspace, require_ws_admin, workspace_public
from services.errors import Conflict, Forbidden, NotFound, invalid_field
from services.security import new_token, sha256
from services.timefmt import iso

TOKEN_PREFIX = "rti_"
INVITATION_TTL = timedelta(days=7)
EMAIL_MAX = 254
_NOT_FOUND = "Invitation not found"


def accept_path(token: str) -> str:
    return f"/invitations/{token}"


def invitation_public(inv: Invitation, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    if inv.accepted_at:
        status = "accepted"
    elif inv.revoked_at:
        status = "revoked"
    elif inv.expires_at <= now:
        status = "expired"
    else:
        status = "pending"
    return {
        "id": str(inv.id),
        "workspaceId": str(inv.workspace_id),
        "email": inv.email,
        "role": inv.role,
        "status": status,
        "invitedById": str(inv.invited_by_id),
        "expiresAt": iso(inv.expires_at),
        "createdAt": iso(inv.created_at),
    }


def clean_email(email: str) -> str:
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > EMAIL_MAX or " " in email:
        raise invalid_field("email", "must be a valid email address")
    return email


async def invite(
    *, actor: Actor, org_slug: str, ws_slug: str, email: str, role: str = "member"
) -> dict[str, Any]:
    """Invite `email` to the workspace with `role`; a pending invitation to the same
    address is replaced. The answer carries the token and accept link, and whether the
    email went out (sent after the commit, so a mail failure never loses the invitation)."""
    access = await workspace_access(actor, org_slug, ws_slug)
    require_ws_admin(access, "invite people")
    email, role = clean_email(email), check_role(role, WORKSPACE_ROLES)
    ws = access.workspace
    invitee = await User.filter(email=email).first()
    if invitee and await WorkspaceMember.filter(workspace_id=ws.id, user_id=invitee.id).exists():
        raise Conflict("This person is already a member of the workspace")
    inv, token = await _replace_pending(actor=actor, ws=ws, email=email, role=role)
    link = accept_path(token)
    sent = await mailer.send(
        to=email,
        subject=f"You are invited to {ws.name} on Roundtable",
        text=_email_text(actor.name, ws.name, access.org.org.name, mailer.absolute(link), inv),
    )
    return invitation_public(inv) | {"token": token, "link": link, "emailSent": sent}


async def _replace_pending(
    *, actor: Actor, ws: Workspace, email: str, role: str
) -> tuple[Invitation, str]:
    """A new invitation of `email` to `ws`, replacing a pending one; it and its token."""
    token = new_token(TOKEN_PREFIX)
    async with in_transaction():
        await Invitation.filter(
            workspace_id=ws.id, email=email, accepted_at=None, revoked_at=None
        ).delete()
        inv = await Invitation.create(
            workspace_id=ws.id,
            email=email,
            role=role,
            token_hash=sha256(token),
            invited_by_id=actor.user_id,
            expires_at=datetime.now(UTC) + INVITATION_TTL,
        )
    return inv, token


def _email_text(inviter: str, ws_name: str, org_name: str, url: str, inv: Invitation) -> str:
    return (
        f"{inviter} invited you to join the workspace {ws_name} ({org_name}) "
        f"as {inv.role}.\n\n"
        f"Accept the invitation here:\n{url}\n\n"
        f"Sign in (or create an account) with {inv.email} first. "
        f"The link works once and expires on {iso(inv.expires_at)}.\n"
    )


async def invite_to_org(*, actor: Actor, org: Organization, email: str, role: str) -> None:
    """An organization's invitation for an address that has no account yet.

    Invitations belong to a workspace, so it is one to the organization's first
    workspace (joining it also makes the person an organization member). It replaces a
    pending one to the same address and is emailed when SMTP is set; its token is never
    shown to the admin, whose answer must not differ from a direct add. An organization
    without a workspace keeps nothing: the email only asks the person to sign up.
    """
    ws = await Workspace.filter(org_id=org.id).order_by("created_at", "id").first()
    if ws is None:
        await mailer.send(
            to=email,
            subject=f"{actor.name} wants to add you to {org.name} on Roundtable",
            text=(
                f"{actor.name} wants to add you to the organization {org.name} on "
                f"Roundtable.\n\nCreate an account with {email} at "
                f"{mailer.absolute('/')} and ask them to add you again.\n"
            ),
        )
        return
    inv, token = await _replace_pending(actor=actor, ws=ws, email=email, role=role)
    await mailer.send(
        to=email,
        subject=f"You are invited to {org.name} on Roundtable",
        text=_email_text(actor.name, ws.name, org.name, mailer.absolute(accept_path(token)), inv),
    )


async def tell_added(*, actor: Actor, org: Organization, email: str, role: str) -> None:
    """Email someone an admin added to an organization, when SMTP is set."""
    await mailer.send(
        to=email,
        subject=f"You were added to {org.name} on Roundtable",
        text=(
            f"{actor.name} added you to the organization {org.name} on Roundtable "
            f"as {role}.\n\nIf you do not want to be there, leave it from its members "
            f"list, or with DELETE /api/organizations/{org.slug}/members/me.\n"
        ),
    )


async def list_invitations(*, actor: Actor, org_slug: str, ws_slug: str) -> list[dict[str, Any]]:
    """Invitations not yet accepted or revoked (expired ones included, marked so)."""
    access = await workspace_access(actor, org_slug, ws_slug)
    require_ws_admin(access, "see invitations")
    rows = await Invitation.filter(
        workspace_id=access.workspace.id, accepted_at=None, revoked_at=None
    ).order_by("-created_at")
    now = datetime.now(UTC)
    return [invitation_public(inv, now) for inv in rows]


async def revoke_invitation(
    *, actor: Actor, org_slug: str, ws_slug: str, invitation_id: Any
) -> None:
    access = await workspace_access(actor, org_slug, ws_slug)
    require_ws_admin(access, "revoke invitations")
    inv_id = parse_id(invitation_id, "Invitation")
    inv = await Invitation.filter(
        id=inv_id, workspace_id=access.workspace.id, revoked_at=None
    ).first()
    if inv is None:
        raise NotFound(_NOT_FOUND)
    if inv.accepted_at is not None:
        raise Conflict("Invitation has already been accepted")
    await Invitation.filter(id=inv.id, accepted_at=None).update(revoked_at=datetime.now(UTC))


async def accept_invitation(*, actor: Actor, token: str) -> dict[str, Any]:
    """Join the invited workspace (and its organization as a member) with the invited role.

    The signed-in account's email must be the invited one. A member already there keeps
    their role. Answers the workspace, with `organizationSlug` to find it by.
    """
    user_id = require_user(actor)
    inv = await Invitation.filter(token_hash=sha256(token)).first() if token else None
    if inv is None or inv.revoked_at is not None:
        raise NotFound(_NOT_FOUND)
    if inv.accepted_at is not None:
        raise Conflict("Invitation has already been accepted")
    if inv.expires_at <= datetime.now(UTC):
        raise Conflict("Invitation has expired")
    user = await User.get(id=user_id)
    if user.email != inv.email:
        raise Forbidden("This invitation was sent to another email address")
    async with in_transaction():
        # Claiming the row first makes two concurrent accepts end with one winner.
        claimed = await Invitation.filter(id=inv.id, accepted_at=None, revoked_at=None).update(
            accepted_at=datetime.now(UTC)
        )
        if not claimed:
            raise Conflict("Invitation has already been accepted")
        ws = await Workspace.get(id=inv.workspace_id)
        member, _ = await join_workspace(user_id=user_id, workspace=ws, role=inv.role)
    org = await Organization.get(id=ws.org_id)
    return workspace_public(ws, member) | {"organizationSlug": org.slug}
