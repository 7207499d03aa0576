"""Tenant scoping: outsiders get 404, members see their projects, roles and scopes hold."""

from __future__ import annotations

import pytest

from services.boards.access import (
    org_access,
    project_access,
    project_by_id,
    valid_slug,
    workspace_access,
)
from services.errors import NotFound
from tests.factories import add_member, create_board, create_user, user_actor


async def test_the_owner_and_members_see_the_project(db: str) -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    for user in (board.owner, member):
        access = await project_access(
            user_actor(user), board.org.slug, board.workspace.slug, board.project.id
        )
        assert access.project.id == board.project.id
    assert (await project_by_id(user_actor(member), board.project.id)).role == "member"


async def test_outsiders_and_other_tenants_get_not_found(db: str) -> None:
    board = await create_board()
    other = await create_board()
    stranger = await create_user()
    with pytest.raises(NotFound):
        await project_access(
            user_actor(stranger), board.org.slug, board.workspace.slug, board.project.id
        )
    # Someone else's project id under your own workspace is not found either.
    with pytest.raises(NotFound):
        await project_access(
            user_actor(board.owner), board.org.slug, board.workspace.slug, other.project.id
        )
    with pytest.raises(NotFound):
        await project_by_id(user_actor(board.owner), "not-a-uuid")


async def test_a_workspace_member_outside_the_project_cannot_see_it(db: str) -> None:
    board = await create_board()
    colleague = await create_user()
    await add_member(board, colleague, project_role=None)
    with pytest.raises(NotFound):
        await project_by_id(user_actor(colleague), board.project.id)
    admin = await create_user()
    await add_member(board, admin, ws_role="admin", project_role=None)
    assert (await project_by_id(user_actor(admin), board.project.id)).is_admin


async def test_a_slug_with_a_nul_character_is_not_found_on_every_backend(db: str) -> None:
    board = await create_board()
    owner = user_actor(board.owner)
    with pytest.raises(NotFound):
        await org_access(owner, board.org.slug + "\x00")
    with pytest.raises(NotFound):
        await workspace_access(owner, board.org.slug, "\x00" + board.workspace.slug)


def test_slugs_are_lowercase_words_and_hyphens() -> None:
    assert valid_slug("acme-corp") and valid_slug("q1")
    for bad in ("a", "Acme", "-acme", "acme-", "acme_corp", "a" * 61, "acme corp"):
        assert not valid_slug(bad)
