"""Organizations, their workspaces, memberships and invitations."""

from __future__ import annotations

import uuid

from tortoise import fields
from tortoise.models import Model


class Organization(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    name = fields.CharField(max_length=100)
    slug = fields.CharField(max_length=60, unique=True)
    owner_id: uuid.UUID
    owner: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="owned_organizations", on_delete=fields.CASCADE
    )
    is_personal = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "organizations"


class OrgMember(Model):
    id = fields.IntField(primary_key=True)
    org_id: uuid.UUID
    org: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="members", on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    user: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="org_memberships", on_delete=fields.CASCADE
    )
    # owner | admin | member
    role = fields.CharField(max_length=16, default="member")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "org_members"
        unique_together = (("org", "user"),)


class Workspace(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    org_id: uuid.UUID
    org: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="workspaces", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    slug = fields.CharField(max_length=60)
    owner_id: uuid.UUID
    owner: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="owned_workspaces", on_delete=fields.CASCADE
    )
    is_personal = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "workspaces"
        unique_together = (("org", "slug"),)


class WorkspaceMember(Model):
    id = fields.IntField(primary_key=True)
    workspace_id: uuid.UUID
    workspace: fields.ForeignKeyRelation[Workspace] = fields.ForeignKeyField(
        "models.Workspace", related_name="members", on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    user: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="workspace_memberships", on_delete=fields.CASCADE
    )
    # admin | member
    role = fields.CharField(max_length=16, default="member")
    # viewer | reviewer | owner
    pilotage_role = fields.CharField(max_length=16, default="viewer")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "workspace_members"
        unique_together = (("workspace", "user"),)


class Invitation(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    workspace_id: uuid.UUID
    workspace: fields.ForeignKeyRelation[Workspace] = fields.ForeignKeyField(
        "models.Workspace", related_name="invitations", on_delete=fields.CASCADE
    )
    email = fields.CharField(max_length=254)
    role = fields.CharField(max_length=16, default="member")
    # SHA-256 of the invitation token; the token itself is shown once, to the inviter.
    token_hash = fields.CharField(max_length=64, unique=True)
    invited_by_id: uuid.UUID
    invited_by: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="sent_invitations", on_delete=fields.CASCADE
    )
    expires_at = fields.DatetimeField()
    accepted_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "invitations"
