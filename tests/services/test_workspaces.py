"""Workspace rules with no transport: who creates, sees, changes and leaves a workspace."""

from __future__ import annotations

import pytest

from models import Notification, Project, ProjectMember, Workspace, WorkspaceMember
from services import accounts
from services.boards import workspaces
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.factories import add_member, create_board, create_user, user_actor

pytestmark = pytest.mark.usefixtures("db")


async def test_an_org_member_creates_a_workspace_and_administers_it() -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member, project_role=None)
    ws = await workspaces.create_workspace(
        actor=user_actor(member), org_slug=board.org.slug, name="Engineering", slug="engineering"
    )
    assert ws | {"id": "", "createdAt": "", "updatedAt": ""} == {
        "id": "",
        "name": "Engineering",
        "slug": "engineering",
        "organizationId": str(board.org.id),
        "ownerId": str(member.id),
        "isPersonal": False,
        "myRole": "admin",
        "myPilotageRole": "owner",
        "createdAt": "",
        "updatedAt": "",
    }
    with pytest.raises(Conflict, match="already exists"):
        await workspaces.create_workspace(
            actor=user_actor(board.owner), org_slug=board.org.slug, name="Eng", slug="engineering"
        )


async def test_outsiders_cannot_create_or_see_workspaces() -> None:
    board = await create_board()
    stranger = user_actor(await create_user())
    with pytest.raises(NotFound, match="Organization"):
        await workspaces.create_workspace(
            actor=stranger, org_slug=board.org.slug, name="X", slug="xx"
        )
    with pytest.raises(NotFound):
        await workspaces.get_workspace(
            actor=stranger, org_slug=board.org.slug, ws_slug=board.workspace.slug
        )


async def test_bad_names_and_slugs_are_refused() -> None:
    board = await create_board()
    owner = user_actor(board.owner)
    with pytest.raises(ValidationFailed, match="slug"):
        await workspaces.create_workspace(actor=owner, org_slug=board.org.slug, name="X", slug="X")
    with pytest.raises(ValidationFailed, match="name"):
        await workspaces.create_workspace(actor=owner, org_slug=board.org.slug, name=" ", slug="ok")


async def test_members_see_their_workspaces_and_org_admins_see_all() -> None:
    board = await create_board()
    member, org_admin = await create_user(), await create_user()
    await add_member(board, member, project_role=None)
    await add_member(board, org_admin, org_role="admin", project_role=None)
    await WorkspaceMember.filter(workspace_id=board.workspace.id, user_id=org_admin.id).delete()
    hidden = await workspaces.create_workspace(
        actor=user_actor(board.owner), org_slug=board.org.slug, name="Hidden", slug="hidden"
    )
    seen = await workspaces.list_workspaces(actor=user_actor(member), org_slug=board.org.slug)
    assert [w["slug"] for w in seen] == [board.workspace.slug]
    assert seen[0]["myRole"] == "member" and seen[0]["myPilotageRole"] == "viewer"
    everything = await workspaces.list_workspaces(
        actor=user_actor(org_admin), org_slug=board.org.slug
    )
    assert {w["slug"] for w in everything} == {board.workspace.slug, hidden["slug"]}
    assert all(w["myRole"] is None for w in everything)


async def test_only_admins_rename_and_delete() -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    where = {"org_slug": board.org.slug, "ws_slug": board.workspace.slug}
    with pytest.raises(Forbidden):
        await workspaces.update_workspace(actor=user_actor(member), name="Nope", **where)
    with pytest.raises(Forbidden):
        await workspaces.delete_workspace(actor=user_actor(member), **where)
    renamed = await workspaces.update_workspace(actor=user_actor(board.owner), name="New", **where)
    assert renamed["name"] == "New" and renamed["myRole"] == "admin"
    await workspaces.delete_workspace(actor=user_actor(board.owner), **where)
    assert not await Workspace.filter(id=board.workspace.id).exists()
    assert not await Project.filter(id=board.project.id).exists()


async def test_a_personal_workspace_cannot_be_deleted() -> None:
    user, _ = await accounts.register(email="solo@example.com", password="secure-pass-123")
    with pytest.raises(Conflict, match="personal"):
        await workspaces.delete_workspace(
            actor=user_actor(user), org_slug="solo", ws_slug="personal"
        )


async def test_admins_change_roles_and_pilotage_roles() -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    where = {"org_slug": board.org.slug, "ws_slug": board.workspace.slug}
    changed = await workspaces.update_ws_member(
        actor=user_actor(board.owner), user_id=member.id, pilotage_role="reviewer", **where
    )
    assert (changed["role"], changed["pilotageRole"]) == ("member", "reviewer")
    changed = await workspaces.update_ws_member(
        actor=user_actor(board.owner), user_id=member.id, role="admin", **where
    )
    assert (changed["role"], changed["pilotageRole"]) == ("admin", "reviewer")
    with pytest.raises(ValidationFailed, match="pilotageRole"):
        await workspaces.update_ws_member(
            actor=user_actor(board.owner), user_id=member.id, pilotage_role="boss", **where
        )
    with pytest.raises(NotFound, match="Member"):
        await workspaces.update_ws_member(
            actor=user_actor(board.owner), user_id=(await create_user()).id, role="admin", **where
        )


async def test_members_cannot_change_roles_and_nobody_changes_the_owner() -> None:
    board = await create_board()
    member, admin = await create_user(), await create_user()
    await add_member(board, member)
    await add_member(board, admin, ws_role="admin")
    where = {"org_slug": board.org.slug, "ws_slug": board.workspace.slug}
    with pytest.raises(Forbidden, match="workspace admin"):
        await workspaces.update_ws_member(
            actor=user_actor(member), user_id=member.id, role="admin", **where
        )
    with pytest.raises(Forbidden, match="The owner cannot be changed or removed"):
        await workspaces.update_ws_member(
            actor=user_actor(admin), user_id=board.owner.id, role="member", **where
        )
    with pytest.raises(Forbidden, match="The owner cannot be changed or removed"):
        await workspaces.remove_ws_member(actor=user_actor(admin), user_id=board.owner.id, **where)


async def test_removing_a_member_takes_their_projects_but_not_the_org() -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    where = {"org_slug": board.org.slug, "ws_slug": board.workspace.slug}
    listed = await workspaces.list_ws_members(actor=user_actor(member), **where)
    assert [(m["userId"], m["role"]) for m in listed] == [
        (str(board.owner.id), "admin"),
        (str(member.id), "member"),
    ]
    await workspaces.remove_ws_member(actor=user_actor(board.owner), user_id=member.id, **where)
    assert not await WorkspaceMember.filter(user_id=member.id).exists()
    assert not await ProjectMember.filter(user_id=member.id).exists()
    assert (await Notification.get(user_id=member.id)).type == "member_removed"
    with pytest.raises(NotFound):
        await workspaces.get_workspace(actor=user_actor(member), **where)
    # Still in the organization.
    assert await workspaces.list_workspaces(actor=user_actor(member), org_slug=board.org.slug) == []


async def test_a_member_may_leave_but_not_remove_others() -> None:
    board = await create_board()
    member, other = await create_user(), await create_user()
    await add_member(board, member)
    await add_member(board, other)
    where = {"org_slug": board.org.slug, "ws_slug": board.workspace.slug}
    with pytest.raises(Forbidden):
        await workspaces.remove_ws_member(actor=user_actor(member), user_id=other.id, **where)
    await workspaces.remove_ws_member(actor=user_actor(member), user_id=member.id, **where)
    assert not await WorkspaceMember.filter(user_id=member.id).exists()
