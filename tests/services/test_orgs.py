"""Organization rules with no transport: ownership, membership and personal spaces."""

from __future__ import annotations

import pytest

from models import (
    Invitation,
    Notification,
    Organization,
    OrgMember,
    Project,
    ProjectMember,
    Room,
    RoomEvent,
    Workspace,
    WorkspaceMember,
)
from services import accounts
from services.boards import orgs
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.factories import add_member, create_board, create_user, user_actor

pytestmark = pytest.mark.usefixtures("db")


async def test_the_creator_owns_a_new_organization() -> None:
    user = await create_user()
    org = await orgs.create_org(actor=user_actor(user), name=" Acme Corp ", slug="acme-corp")
    assert (org["name"], org["slug"], org["ownerId"]) == ("Acme Corp", "acme-corp", str(user.id))
    assert org["createdAt"].endswith("Z")
    member = await OrgMember.get(org_id=org["id"], user_id=user.id)
    assert member.role == "owner"


@pytest.mark.parametrize("slug", ["a", "Acme", "acme_corp", "-acme", "acme-", "a" * 61, "ac me"])
async def test_slugs_must_be_lowercase_alphanumeric_and_hyphens(slug: str) -> None:
    with pytest.raises(ValidationFailed, match="slug"):
        await orgs.create_org(actor=user_actor(await create_user()), name="Acme", slug=slug)


async def test_names_must_not_be_blank_or_too_long() -> None:
    actor = user_actor(await create_user())
    for name in ("   ", "n" * 101):
        with pytest.raises(ValidationFailed, match="name"):
            await orgs.create_org(actor=actor, name=name, slug="acme")


async def test_a_slug_is_taken_once() -> None:
    await orgs.create_org(actor=user_actor(await create_user()), name="A", slug="acme")
    with pytest.raises(Conflict, match="already exists"):
        await orgs.create_org(actor=user_actor(await create_user()), name="B", slug="acme")


async def test_listing_shows_only_my_organizations_with_my_role() -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member, org_role="admin")
    await create_board()
    listed = await orgs.list_orgs(actor=user_actor(member))
    assert [(o["slug"], o["myRole"]) for o in listed] == [(board.org.slug, "admin")]


async def test_only_owner_and_admins_rename_and_only_the_owner_deletes() -> None:
    board = await create_board()
    admin, member = await create_user(), await create_user()
    await add_member(board, admin, org_role="admin")
    await add_member(board, member)
    slug = board.org.slug
    with pytest.raises(Forbidden):
        await orgs.update_org(actor=user_actor(member), org_slug=slug, name="Nope")
    renamed = await orgs.update_org(actor=user_actor(admin), org_slug=slug, name="Renamed")
    assert renamed["name"] == "Renamed"
    with pytest.raises(Forbidden, match="owner"):
        await orgs.delete_org(actor=user_actor(admin), org_slug=slug)
    with pytest.raises(NotFound):
        await orgs.get_org(actor=user_actor(await create_user()), org_slug=slug)


async def test_deleting_an_organization_removes_everything_under_it() -> None:
    board = await create_board()
    room = f"board:{board.project.id}"
    await Room.create(key=room, seq=1)
    await RoomEvent.create(room=room, seq=1, type="card_created", data={}, at=board.org.created_at)
    await Notification.create(user=board.owner, type="card_created", project_id=board.project.id)
    other = await create_board()
    await orgs.delete_org(actor=user_actor(board.owner), org_slug=board.org.slug)
    assert not await Organization.filter(id=board.org.id).exists()
    assert not await Workspace.filter(id=board.workspace.id).exists()
    assert not await Project.filter(id=board.project.id).exists()
    assert not await Room.filter(key=room).exists()
    assert not await RoomEvent.filter(room=room).exists()
    assert not await Notification.filter(project_id=board.project.id).exists()
    assert await Project.filter(id=other.project.id).exists()


async def test_members_are_added_by_email_and_only_once() -> None:
    board = await create_board()
    newcomer = await create_user(email="dev@acme.com")
    owner = user_actor(board.owner)
    added = await orgs.add_org_member(
        actor=owner, org_slug=board.org.slug, email=" DEV@acme.com", role="admin"
    )
    assert added == {"email": "dev@acme.com", "role": "admin"}
    assert await OrgMember.filter(org_id=board.org.id, user_id=newcomer.id, role="admin").exists()
    with pytest.raises(Conflict, match="already a member"):
        await orgs.add_org_member(actor=owner, org_slug=board.org.slug, email="dev@acme.com")
    # An address without an account answers alike and waits as an invitation.
    invited = await orgs.add_org_member(
        actor=owner, org_slug=board.org.slug, email="ghost@acme.com"
    )
    assert invited == {"email": "ghost@acme.com", "role": "member"}
    assert await Invitation.filter(email="ghost@acme.com", workspace_id=board.workspace.id).exists()
    with pytest.raises(ValidationFailed):
        await orgs.add_org_member(
            actor=owner, org_slug=board.org.slug, email="x@acme.com", role="owner"
        )


async def test_the_owner_cannot_be_changed_or_removed() -> None:
    board = await create_board()
    admin = await create_user()
    await add_member(board, admin, org_role="admin")
    for call in (
        orgs.update_org_member(
            actor=user_actor(admin), org_slug=board.org.slug, user_id=board.owner.id, role="member"
        ),
        orgs.remove_org_member(
            actor=user_actor(admin), org_slug=board.org.slug, user_id=board.owner.id
        ),
        orgs.remove_org_member(
            actor=user_actor(board.owner), org_slug=board.org.slug, user_id=board.owner.id
        ),
    ):
        with pytest.raises(Forbidden, match="The owner cannot be changed or removed"):
            await call


async def test_members_cannot_manage_members_but_can_leave() -> None:
    board = await create_board()
    member, other = await create_user(), await create_user()
    await add_member(board, member)
    await add_member(board, other)
    actor = user_actor(member)
    with pytest.raises(Forbidden):
        await orgs.update_org_member(
            actor=actor, org_slug=board.org.slug, user_id=other.id, role="admin"
        )
    with pytest.raises(Forbidden):
        await orgs.remove_org_member(actor=actor, org_slug=board.org.slug, user_id=other.id)
    await orgs.remove_org_member(actor=actor, org_slug=board.org.slug, user_id=member.id)
    assert not await OrgMember.filter(org_id=board.org.id, user_id=member.id).exists()


async def test_removal_takes_workspace_and_project_memberships_and_tells_the_project() -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    await orgs.remove_org_member(
        actor=user_actor(board.owner), org_slug=board.org.slug, user_id=member.id
    )
    assert not await WorkspaceMember.filter(user_id=member.id).exists()
    assert not await ProjectMember.filter(user_id=member.id).exists()
    notice = await Notification.get(user_id=member.id)
    assert (notice.type, notice.project_id, notice.meta) == (
        "member_removed",
        board.project.id,
        {"userId": str(member.id)},
    )


async def test_workspaces_of_a_removed_member_pass_to_the_org_owner() -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    ws = await Workspace.create(org=board.org, name="Theirs", slug="theirs", owner=member)
    await WorkspaceMember.create(workspace=ws, user=member, role="admin", pilotage_role="owner")
    await orgs.remove_org_member(
        actor=user_actor(board.owner), org_slug=board.org.slug, user_id=member.id
    )
    await ws.refresh_from_db()
    assert ws.owner_id == board.owner.id
    kept = await WorkspaceMember.get(workspace_id=ws.id, user_id=board.owner.id)
    assert (kept.role, kept.pilotage_role) == ("admin", "owner")


# Personal spaces


async def test_registration_creates_a_personal_organization_and_workspace() -> None:
    user, _ = await accounts.register(email="Jane.Doe@example.com", password="secure-pass-123")
    org = await Organization.get(owner_id=user.id)
    assert (org.slug, org.is_personal) == ("jane-doe", True)
    assert (await OrgMember.get(org_id=org.id, user_id=user.id)).role == "owner"
    ws = await Workspace.get(org_id=org.id)
    assert ws.is_personal and ws.owner_id == user.id
    member = await WorkspaceMember.get(workspace_id=ws.id, user_id=user.id)
    assert (member.role, member.pilotage_role) == ("admin", "owner")
    assert await accounts.pilotage_role(user) == "owner"
    member.pilotage_role = "reviewer"
    await member.save()
    assert await accounts.pilotage_role(user) == "reviewer"


async def test_personal_slugs_are_made_unique_and_valid() -> None:
    await orgs.create_org(actor=user_actor(await create_user()), name="Jane", slug="jane")
    first, _ = await accounts.register(email="jane@one.example", password="secure-pass-123")
    second, _ = await accounts.register(email="jane@two.example", password="secure-pass-123")
    odd, _ = await accounts.register(email="x@three.example", password="secure-pass-123")
    slugs = [(await Organization.get(owner_id=u.id)).slug for u in (first, second, odd)]
    assert slugs == ["jane-2", "jane-3", "user-x"]


async def test_a_personal_organization_or_workspace_cannot_be_deleted() -> None:
    user, _ = await accounts.register(email="solo@example.com", password="secure-pass-123")
    with pytest.raises(Conflict, match="personal"):
        await orgs.delete_org(actor=user_actor(user), org_slug="solo")
