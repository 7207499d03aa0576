"""REST for workspace invitations: invite, list, revoke, and accept with the token."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import Field

from server.api.routing import Api, Call
from server.api.schemas import CamelInput, CamelOutput, Email
from server.api.shared import WS, Ok, ws_where
from server.api.workspaces import WorkspacePublic
from services.boards import invitations
from services.scopes import PROJECTS_READ, PROJECTS_WRITE

api = Api("invitations")


class InvitationCreate(CamelInput):
    # Checked by the service, so that an address is judged the same on every face.
    email: Email
    role: Literal["admin", "member"] = "member"


class InvitationPublic(CamelOutput):
    id: uuid.UUID
    workspace_id: uuid.UUID
    email: str
    role: str
    status: Literal["pending", "expired", "accepted", "revoked"]
    invited_by_id: uuid.UUID
    expires_at: str
    created_at: str


class InvitationCreated(InvitationPublic):
    token: str = Field(description="Shown only here; the database keeps its SHA-256")
    link: str = Field(description="The accept page, /invitations/<token>")
    email_sent: bool = Field(description="Whether the invitation email was handed to SMTP")


class InvitationAccepted(WorkspacePublic):
    organization_slug: str


@api.route(
    "POST",
    WS + "/members/invite",
    summary="Invite someone to the workspace by email (admins); answers the one-time token",
    body=InvitationCreate,
    response=InvitationCreated,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(404, 409),
)
async def invite(call: Call) -> Any:
    body: InvitationCreate = call.body
    return await invitations.invite(
        actor=call.user, email=body.email, role=body.role, **ws_where(call)
    )


@api.route(
    "GET",
    WS + "/invitations",
    summary="Invitations not yet accepted or revoked (admins); tokens are never shown again",
    response=list[InvitationPublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_invitations(call: Call) -> Any:
    return await invitations.list_invitations(actor=call.user, **ws_where(call))


@api.route(
    "DELETE",
    WS + "/invitations/{invitation_id}",
    summary="Revoke an invitation (admins)",
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(404, 409),
)
async def revoke(call: Call) -> Any:
    await invitations.revoke_invitation(
        actor=call.user, invitation_id=call.path["invitation_id"], **ws_where(call)
    )
    return {"ok": True}


@api.route(
    "POST",
    "/invitations/{token}/accept",
    summary="Accept an invitation sent to your email; you join the workspace",
    response=InvitationAccepted,
    scope=PROJECTS_WRITE,
    errors=(404, 409),
)
async def accept(call: Call) -> Any:
    return await invitations.accept_invitation(actor=call.user, token=call.path["token"])
