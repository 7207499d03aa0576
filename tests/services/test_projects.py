"""Projects: who may create, see, change and delete them, and who is on them."""

from __future__ import annotations

from typing import Any

import pytest

from models import Column, Label, Notification, Project, ProjectMember, RoomEvent
from services.boards import project_members, projects
from services.boards.access import board_room
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.factories import Board, add_member, create_board, create_user, user_actor


def _ws(board: Board) -> dict[str, Any]:
    return {"org_slug": board.org.slug, "ws_slug": board.workspace.slug}


def _pj(board: Board) -> dict[str, Any]:
    return {**_ws(board), "project_id": board.project.id}


async def _events(project_id: Any) -> list[tuple[str, dict[str, Any]]]:
    rows = await RoomEvent.filter(room=board_room(project_id)).order_by("seq")
    return [(r.type, r.data) for r in rows]


async def test_a_workspace_member_creates_a_kanban_project_and_becomes_its_admin(db: str) -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member, project_role=None)
    created = await projects.create_project(
        actor=user_actor(member), name="Q1 Launch", description="Ship it", **_ws(board)
    )
    assert (created["name"], created["description"], created["role"]) == (
        "Q1 Launch",
        "Ship it",
        "admin",
    )
    assert created["workspaceId"] == str(board.workspace.id)
    assert created["createdAt"].endswith("Z")
    columns = await Column.filter(project_id=created["id"]).order_by("order")
    assert [(c.name, c.order) for c in columns] == [("To Do", 0), ("In Progress", 1), ("Done", 2)]
    roles = await ProjectMember.filter(project_id=created["id"]).values_list("user_id", "role")
    assert roles == [(member.id, "admin")]


async def test_templates_shape_the_new_board(db: str) -> None:
    board = await create_board()
    scrum = await projects.create_project(
        actor=user_actor(board.owner), name="S", template="scrum", **_ws(board)
    )
    cols = await Column.filter(project_id=scrum["id"]).order_by("order")
    assert [c.name for c in cols] == ["Backlog", "Sprint", "In Progress", "Review", "Done"]
    assert cols[2].wip_limit == 5
    bugs = await projects.create_project(
        actor=user_actor(board.owner), name="B", template="bug-triage", **_ws(board)
    )
    assert sorted(await Label.filter(project_id=bugs["id"]).values_list("name", flat=True)) == [
        "bug",
        "critical",
        "regression",
    ]
    with pytest.raises(ValidationFailed, match="unknown template"):
        await projects.create_project(
            actor=user_actor(board.owner), name="X", template="waterfall", **_ws(board)
        )


async def test_strangers_cannot_create_in_a_workspace_they_are_not_in(db: str) -> None:
    board = await create_board()
    stranger = await create_user()
    with pytest.raises(NotFound):
        await projects.create_project(actor=user_actor(stranger), name="X", **_ws(board))
    assert await Project.all().count() == 1


async def test_the_list_shows_only_projects_you_may_see(db: str) -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member, project_role=None)
    mine = await projects.create_project(actor=user_actor(member), name="Mine", **_ws(board))
    seen = await projects.list_projects(actor=user_actor(member), **_ws(board))
    assert [p["id"] for p in seen] == [mine["id"]]
    # The workspace admin sees every project, with no role of their own in the other.
    everything = await projects.list_projects(actor=user_actor(board.owner), **_ws(board))
    assert {p["name"]: p["role"] for p in everything} == {board.project.name: "admin", "Mine": None}


async def test_members_rename_and_admins_delete(db: str) -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    renamed = await projects.update_project(actor=user_actor(member), name="Renamed", **_pj(board))
    assert renamed["name"] == "Renamed"
    assert renamed["description"] == ""
    assert (await _events(board.project.id))[-1][0] == "project_updated"
    with pytest.raises(Forbidden):
        await projects.delete_project(actor=user_actor(member), **_pj(board))
    await projects.delete_project(actor=user_actor(board.owner), **_pj(board))
    assert not await Project.filter(id=board.project.id).exists()
    assert (await _events(board.project.id))[-1] == (
        "project_deleted",
        {"projectId": str(board.project.id)},
    )


async def test_adding_a_member_shows_on_the_board_and_notifies(db: str) -> None:
    board = await create_board()
    colleague = await create_user(email="dev@company.com")
    await add_member(board, colleague, project_role=None)
    watcher = await create_user()
    await add_member(board, watcher)
    added = await project_members.add_member(
        actor=user_actor(board.owner), email=" Dev@Company.com", **_pj(board)
    )
    assert (added["userId"], added["role"], added["email"]) == (
        str(colleague.id),
        "member",
        "dev@company.com",
    )
    assert await _events(board.project.id) == [("member_added", {"member": added})]
    notified = await Notification.filter(type="member_added").values_list("user_id", flat=True)
    assert sorted(map(str, notified)) == sorted([str(colleague.id), str(watcher.id)])
    with pytest.raises(Conflict):
        await project_members.add_member(
            actor=user_actor(board.owner), email="dev@company.com", **_pj(board)
        )
    listed = await project_members.list_members(actor=user_actor(colleague), **_pj(board))
    assert [m["userId"] for m in listed] == [
        str(board.owner.id),
        str(watcher.id),
        str(colleague.id),
    ]


async def test_only_workspace_members_can_be_added_and_only_by_admins(db: str) -> None:
    board = await create_board()
    outsider = await create_user(email="out@example.com")
    with pytest.raises(NotFound, match="invite them to the workspace first"):
        await project_members.add_member(
            actor=user_actor(board.owner), email=outsider.email, **_pj(board)
        )
    with pytest.raises(NotFound, match="invite them to the workspace first"):
        await project_members.add_member(
            actor=user_actor(board.owner), email="nobody@example.com", **_pj(board)
        )
    member = await create_user()
    await add_member(board, member)
    colleague = await create_user()
    await add_member(board, colleague, project_role=None)
    with pytest.raises(Forbidden):
        await project_members.add_member(
            actor=user_actor(member), email=colleague.email, **_pj(board)
        )


async def test_removing_a_member_names_them_for_the_board(db: str) -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member)
    await project_members.remove_member(
        actor=user_actor(board.owner), user_id=member.id, **_pj(board)
    )
    assert await _events(board.project.id) == [("member_removed", {"userId": str(member.id)})]
    assert not await ProjectMember.filter(project_id=board.project.id, user_id=member.id).exists()
    told = await Notification.filter(type="member_removed").values_list("user_id", flat=True)
    assert list(told) == [member.id]
    with pytest.raises(NotFound):
        await projects.get_project(actor=user_actor(member), **_pj(board))


async def test_the_last_admin_stays_and_members_may_leave(db: str) -> None:
    board = await create_board()
    with pytest.raises(Conflict, match="at least one admin"):
        await project_members.remove_member(
            actor=user_actor(board.owner), user_id=board.owner.id, **_pj(board)
        )
    member = await create_user()
    other = await create_user()
    await add_member(board, member)
    await add_member(board, other)
    with pytest.raises(Forbidden):
        await project_members.remove_member(
            actor=user_actor(member), user_id=other.id, **_pj(board)
        )
    await project_members.remove_member(actor=user_actor(member), user_id=member.id, **_pj(board))
    with pytest.raises(NotFound):
        await project_members.remove_member(
            actor=user_actor(board.owner), user_id=member.id, **_pj(board)
        )
    with pytest.raises(NotFound):
        await project_members.remove_member(
            actor=user_actor(board.owner), user_id="nope", **_pj(board)
        )
