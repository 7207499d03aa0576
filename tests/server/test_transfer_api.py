"""Export and import over REST: a snapshot round-trips, and a refused import leaves
nothing behind."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models import ApiToken, Card, Project, User
from services.security import PAT_PREFIX, new_token, sha256
from tests.factories import Board, add_member, bearer, create_board, create_user, jwt_for

SEED_IMPORT = {
    "project": {"name": "Imported"},
    "columns": [{"name": "To Do"}, {"name": "In Progress"}, {"name": "Done"}],
    "cards": [{"title": "First task", "columnIndex": 0, "priority": "medium"}],
}


def _as(user: User) -> dict[str, Any]:
    return bearer(jwt_for(user))


def _ws(board: Board) -> str:
    return f"/api/orgs/{board.org.slug}/workspaces/{board.workspace.slug}/projects"


def _error(res: httpx.Response, status: int) -> str:
    assert res.status_code == status, res.text
    assert res.json()["statusCode"] == status
    message: str = res.json()["message"]
    return message


async def test_the_seed_import_creates_a_project(client: httpx.AsyncClient) -> None:
    board = await create_board()
    res = await client.post(f"{_ws(board)}/import", json=SEED_IMPORT, headers=_as(board.owner))
    assert res.status_code == 201, res.text
    created = res.json()
    assert (created["name"], created["role"]) == ("Imported", "admin")
    assert created["imported"] == {"columns": 3, "cards": 1, "labels": 0, "customFields": 0}
    cards = await client.get(f"{_ws(board)}/{created['id']}/cards", headers=_as(board.owner))
    assert cards.status_code == 200, cards.text
    assert [(c["title"], c["priority"], c["order"]) for c in cards.json()] == [
        ("First task", "medium", 0)
    ]


async def test_export_import_export_round_trips(client: httpx.AsyncClient) -> None:
    board = await create_board()
    headers = _as(board.owner)
    body = SEED_IMPORT | {
        "project": {"name": "Rich", "description": "All the things"},
        "columns": [{"name": "To Do"}, {"name": "Doing", "wipLimit": 2}, {"name": "Done"}],
        "labels": [{"name": "bug", "color": "#ef4444"}],
        "customFields": [
            {"name": "Size", "type": "select", "options": ["S", "M"]},
            {"name": "Notes", "type": "text", "options": []},
        ],
        "cards": [
            {
                "title": "Design API",
                "description": "REST routes",
                "columnIndex": 1,
                "priority": "high",
                "startDate": "2026-03-01T09:00:00Z",
                "dueDate": "2026-04-01T00:00:00Z",
                "estimate": "8",
                "checklist": [{"title": "List endpoints", "done": True}],
                "labels": ["bug"],
                "customFields": {"Size": "M", "Notes": "123"},
            },
            {"title": "Retired", "columnIndex": 1, "archived": True},
            {"title": "Second", "columnIndex": 1},
        ],
    }
    first = await client.post(f"{_ws(board)}/import", json=body, headers=headers)
    assert first.status_code == 201, first.text
    exported = await client.get(f"{_ws(board)}/{first.json()['id']}/export", headers=headers)
    assert exported.status_code == 200
    snap = exported.json()
    assert [(c["title"], c["order"], c["archived"]) for c in snap["cards"]] == [
        ("Design API", 0, False),
        ("Second", 1, False),
        ("Retired", 0, True),
    ]
    assert snap["cards"][0]["customFields"] == {"Size": "M", "Notes": "123"}
    assert snap["cards"][0]["checklist"] == [{"title": "List endpoints", "done": True, "order": 0}]
    again = await client.post(f"{_ws(board)}/import", json=snap, headers=headers)
    assert again.status_code == 201, again.text
    second = await client.get(f"{_ws(board)}/{again.json()['id']}/export", headers=headers)
    drop = {"exportedAt"}
    assert {k: v for k, v in second.json().items() if k not in drop} == {
        k: v for k, v in snap.items() if k not in drop
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"columns": [{"name": f"C{i}"} for i in range(51)]}, "columns: at most 50 columns"),
        ({"cards": [{"title": f"T{i}"} for i in range(501)]}, "cards: at most 500 cards"),
        ({"cards": [{"title": "T", "columnIndex": 3}]}, "cards.0.columnIndex"),
        ({"columns": []}, "at least one column"),
    ],
)
async def test_rule_violations_are_400_and_import_nothing(
    client: httpx.AsyncClient, change: dict[str, Any], message: str
) -> None:
    board = await create_board()
    res = await client.post(
        f"{_ws(board)}/import", json=SEED_IMPORT | change, headers=_as(board.owner)
    )
    assert message in _error(res, 400)
    assert await Project.all().count() == 1


async def test_a_bad_last_card_of_500_imports_nothing(client: httpx.AsyncClient) -> None:
    board = await create_board()
    cards: list[dict[str, Any]] = [
        {"title": f"Task {i}", "columnIndex": i % 3, "description": "x" * 200} for i in range(500)
    ]
    cards[499]["columnIndex"] = 7
    res = await client.post(
        f"{_ws(board)}/import", json=SEED_IMPORT | {"cards": cards}, headers=_as(board.owner)
    )
    assert "cards.499.columnIndex" in _error(res, 400)
    assert (await Project.all().count(), await Card.all().count()) == (1, 0)
    cards[499]["columnIndex"] = 2
    res = await client.post(
        f"{_ws(board)}/import", json=SEED_IMPORT | {"cards": cards}, headers=_as(board.owner)
    )
    assert res.status_code == 201
    assert await Card.all().count() == 500


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"columns": [{"name": "A"}]}, "project"),
        ({"project": {"name": "X"}}, "columns"),
        ({"project": {"name": ""}, "columns": [{"name": "A"}]}, "project.name"),
        (SEED_IMPORT | {"cards": [{"title": "T", "columnIndex": "0"}]}, "cards.0.columnIndex"),
        (SEED_IMPORT | {"cards": [{"title": "T", "priority": "urgent"}]}, "cards.0.priority"),
        (SEED_IMPORT | {"cards": [{"title": "T", "colour": "red"}]}, "cards.0.colour"),
        (SEED_IMPORT | {"labels": [{"name": "a", "color": "red"}]}, "labels.0.color"),
        (SEED_IMPORT | {"extra": True}, "extra"),
    ],
)
async def test_malformed_imports_are_400(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    board = await create_board()
    res = await client.post(f"{_ws(board)}/import", json=body, headers=_as(board.owner))
    _error(res, 400)
    assert field in res.json()["errors"]
    assert await Project.all().count() == 1


async def test_large_imports_fit_and_oversized_bodies_are_413(client: httpx.AsyncClient) -> None:
    board = await create_board()
    cards = [{"title": f"T{i}", "description": "d" * 1500} for i in range(500)]
    body = SEED_IMPORT | {"cards": cards}  # about 800 KB, past the usual 64 KiB limit
    res = await client.post(f"{_ws(board)}/import", json=body, headers=_as(board.owner))
    assert res.status_code == 201, res.text
    huge = SEED_IMPORT | {"cards": [{"title": "T", "description": "d" * 20_000}] * 300}
    res = await client.post(f"{_ws(board)}/import", json=huge, headers=_as(board.owner))
    _error(res, 413)


async def test_who_may_export_and_import(client: httpx.AsyncClient) -> None:
    board = await create_board()
    url = f"{_ws(board)}/{board.project.id}/export"
    stranger = await create_user()
    colleague = await create_user()
    await add_member(board, colleague, project_role=None)
    other = await create_board()
    _error(await client.get(url), 401)
    _error(await client.post(f"{_ws(board)}/import", json=SEED_IMPORT), 401)
    _error(await client.get(url, headers=_as(stranger)), 404)
    _error(await client.get(url, headers=_as(colleague)), 404)
    _error(await client.get(f"{_ws(board)}/not-a-uuid/export", headers=_as(board.owner)), 404)
    _error(
        await client.get(f"{_ws(board)}/{other.project.id}/export", headers=_as(board.owner)), 404
    )
    _error(await client.post(f"{_ws(board)}/import", json=SEED_IMPORT, headers=_as(stranger)), 404)
    token = new_token(PAT_PREFIX)
    await ApiToken.create(
        user=board.owner,
        name="r",
        prefix=token[:12],
        token_hash=sha256(token),
        scopes=["projects:read"],
    )
    assert (await client.get(url, headers=bearer(token))).status_code == 200
    _error(await client.post(f"{_ws(board)}/import", json=SEED_IMPORT, headers=bearer(token)), 403)
    # A workspace member outside the project may still import a project of their own.
    res = await client.post(f"{_ws(board)}/import", json=SEED_IMPORT, headers=_as(colleague))
    assert res.status_code == 201
    assert await Project.all().count() == 3
