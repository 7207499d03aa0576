"""The portfolio over REST: one line per visible project, with its progress in numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fractional_indexing import generate_n_keys_between

from models import Card, Column, Project, ProjectMember
from tests.factories import Board, add_member, bearer, create_board, create_user, jwt_for


def _url(board: Board) -> str:
    return f"/api/orgs/{board.org.slug}/workspaces/{board.workspace.slug}/projects/portfolio"


async def _cards(board: Board, column: Column, *specs: dict[str, Any]) -> None:
    keys = generate_n_keys_between(None, None, len(specs))
    for key, spec in zip(keys, specs, strict=True):
        await Card.create(project=board.project, column=column, title="Card", position=key, **spec)


async def test_metrics_per_project_and_in_total(client: httpx.AsyncClient) -> None:
    board = await create_board()
    todo, doing, done = board.columns
    past = datetime.now(UTC) - timedelta(days=2)
    future = datetime.now(UTC) + timedelta(days=2)
    await _cards(board, todo, {"due_date": past}, {"due_date": future}, {"archived": True})
    await _cards(board, doing, {"due_date": past, "archived": True}, {})
    # A done card past its due date is done, not overdue.
    await _cards(board, done, {"due_date": past}, {}, {}, {"archived": True})
    member = await create_user()
    await add_member(board, member)
    empty = await Project.create(workspace=board.workspace, name="Empty", created_by=board.owner)
    await ProjectMember.create(project=empty, user=board.owner, role="admin")

    res = await client.get(_url(board), headers=bearer(jwt_for(board.owner)))
    assert res.status_code == 200, res.text
    body = res.json()
    by_name = {p["name"]: p for p in body["projects"]}
    line = by_name[board.project.name]
    assert {k: line[k] for k in line if k not in ("id", "name", "createdAt", "lastActivityAt")} == {
        "description": "",
        "role": "admin",
        "cardCount": 9,
        "openCards": 3,
        "doneCards": 3,
        "archivedCards": 3,
        "overdueCards": 1,
        "completion": 50,
        "memberCount": 2,
        "columnCount": 3,
    }
    assert line["lastActivityAt"].endswith("Z")
    blank = by_name["Empty"]
    assert (blank["cardCount"], blank["completion"], blank["columnCount"]) == (0, 0, 0)
    assert blank["lastActivityAt"].endswith("Z")
    assert body["totals"] == {
        "projectCount": 2,
        "cardCount": 9,
        "openCards": 3,
        "doneCards": 3,
        "archivedCards": 3,
        "overdueCards": 1,
        "completion": 50,
    }


async def test_only_visible_projects_are_counted(client: httpx.AsyncClient) -> None:
    board = await create_board()
    await _cards(board, board.columns[0], {})
    colleague = await create_user()
    await add_member(board, colleague, project_role=None)
    res = await client.get(_url(board), headers=bearer(jwt_for(colleague)))
    assert res.json() == {
        "projects": [],
        "totals": {
            "projectCount": 0,
            "cardCount": 0,
            "openCards": 0,
            "doneCards": 0,
            "archivedCards": 0,
            "overdueCards": 0,
            "completion": 0,
        },
    }
    stranger = await create_user()
    res = await client.get(_url(board), headers=bearer(jwt_for(stranger)))
    assert res.status_code == 404
    assert (await client.get(_url(board))).status_code == 401


async def test_projects_full_of_done_cards_are_complete(client: httpx.AsyncClient) -> None:
    board = await create_board()
    for n in range(5):
        project = await Project.create(workspace=board.workspace, name=f"P{n}")
        await ProjectMember.create(project=project, user=board.owner, role="admin")
        col = await Column.create(project=project, name="Only", order=0)
        keys = generate_n_keys_between(None, None, 20)
        await Card.bulk_create(
            [
                Card(project=project, column=col, title=f"C{i}", position=k)
                for i, k in enumerate(keys)
            ]
        )
    res = await client.get(_url(board), headers=bearer(jwt_for(board.owner)))
    lines = res.json()["projects"]
    assert len(lines) == 6
    assert all(p["doneCards"] == 20 and p["completion"] == 100 for p in lines[:5])
