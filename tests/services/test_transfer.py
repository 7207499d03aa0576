"""Export and import: a project round-trips through JSON, and an import is all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fractional_indexing import generate_n_keys_between

from models import (
    Card,
    CardLabel,
    ChecklistItem,
    Column,
    CustomField,
    CustomFieldValue,
    Label,
    Project,
    ProjectMember,
)
from services.boards import transfer
from services.errors import Invalid, NotFound, ValidationFailed
from tests.factories import Board, add_member, create_board, create_user, user_actor


def _ws(board: Board) -> dict[str, Any]:
    return {"org_slug": board.org.slug, "ws_slug": board.workspace.slug}


async def _furnish(board: Board) -> None:
    """A board with live and archived cards, a checklist, labels and custom fields."""
    todo, doing, done = board.columns
    doing.wip_limit = 3
    await doing.save()
    bug = await Label.create(project=board.project, name="bug", color="#ef4444")
    await Label.create(project=board.project, name="idea", color="#22c55e")
    size = await CustomField.create(
        project=board.project, name="Size", type="select", options=["S", "M", "L"], position=0
    )
    points = await CustomField.create(
        project=board.project, name="Points", type="number", position=1
    )
    keys = generate_n_keys_between(None, None, 3)
    first = await Card.create(
        project=board.project,
        column=todo,
        title="Design API",
        description="REST routes",
        priority="high",
        due_date=datetime(2026, 4, 1, tzinfo=UTC),
        start_date=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        position=keys[0],
        estimate="5",
    )
    await Card.create(
        project=board.project, column=todo, title="Old idea", position=keys[1], archived=True
    )
    await Card.create(project=board.project, column=todo, title="Write docs", position=keys[2])
    await Card.create(project=board.project, column=done, title="Kickoff", position=keys[0])
    await ChecklistItem.create(card=first, title="List endpoints", done=True, order=0)
    await ChecklistItem.create(card=first, title="Review", order=1)
    await CardLabel.create(card=first, label=bug)
    chosen = CustomFieldValue(card=first, field=size)
    chosen.value = '"M"'  # a str given to a JSON field is taken as encoded JSON
    await chosen.save()
    await CustomFieldValue.create(card=first, field=points, value=8)


def _without_dates(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in snapshot.items() if k != "exportedAt"}


async def test_export_is_a_complete_snapshot(db: str) -> None:
    board = await create_board()
    await _furnish(board)
    snap = await transfer.export_project(
        actor=user_actor(board.owner), project_id=board.project.id, **_ws(board)
    )
    assert snap["version"] == 1 and snap["exportedAt"].endswith("Z")
    assert snap["project"] == {"name": board.project.name, "description": ""}
    assert snap["columns"] == [
        {"name": "To Do", "order": 0, "wipLimit": None},
        {"name": "Doing", "order": 1, "wipLimit": 3},
        {"name": "Done", "order": 2, "wipLimit": None},
    ]
    assert [(c["title"], c["columnIndex"], c["order"], c["archived"]) for c in snap["cards"]] == [
        ("Design API", 0, 0, False),
        ("Write docs", 0, 1, False),
        ("Old idea", 0, 0, True),
        ("Kickoff", 2, 0, False),
    ]
    first = snap["cards"][0]
    assert first == {
        "title": "Design API",
        "description": "REST routes",
        "columnIndex": 0,
        "order": 0,
        "priority": "high",
        "startDate": "2026-03-01T09:30:00Z",
        "dueDate": "2026-04-01T00:00:00Z",
        "archived": False,
        "estimate": "5",
        "checklist": [
            {"title": "List endpoints", "done": True, "order": 0},
            {"title": "Review", "done": False, "order": 1},
        ],
        "labels": ["bug"],
        "customFields": {"Size": "M", "Points": 8},
    }
    assert snap["labels"] == [
        {"name": "bug", "color": "#ef4444"},
        {"name": "idea", "color": "#22c55e"},
    ]
    assert snap["customFields"] == [
        {"name": "Size", "type": "select", "options": ["S", "M", "L"]},
        {"name": "Points", "type": "number", "options": []},
    ]


async def test_export_then_import_then_export_is_the_same_board(db: str) -> None:
    board = await create_board()
    await _furnish(board)
    actor = user_actor(board.owner)
    first = await transfer.export_project(actor=actor, project_id=board.project.id, **_ws(board))
    created = await transfer.import_project(actor=actor, data=first, **_ws(board))
    assert created["imported"] == {"columns": 3, "cards": 4, "labels": 2, "customFields": 2}
    assert created["id"] != str(board.project.id)
    again = await transfer.export_project(actor=actor, project_id=created["id"], **_ws(board))
    assert _without_dates(again) == _without_dates(first)


async def test_import_places_cards_with_fractional_keys_in_order(db: str) -> None:
    board = await create_board()
    member = await create_user()
    await add_member(board, member, project_role=None)
    data = {
        "project": {"name": "Imported"},
        "columns": [{"name": "To Do"}, {"name": "In Progress"}, {"name": "Done"}],
        "cards": [
            {"title": "Second", "columnIndex": 0, "order": 1},
            {"title": "First", "columnIndex": 0, "order": 0, "priority": "medium"},
            {"title": "Elsewhere", "columnIndex": 2, "labels": ["new-label"]},
        ],
    }
    created = await transfer.import_project(actor=user_actor(member), data=data, **_ws(board))
    assert created["role"] == "admin"
    cards = await Card.filter(project_id=created["id"]).select_related("column")
    todo = sorted((c for c in cards if c.column.name == "To Do"), key=lambda c: c.position)
    assert [c.title for c in todo] == ["First", "Second"]
    assert todo[0].position == generate_n_keys_between(None, None, 2)[0]
    # A label a card names but the import does not define is made with a default color.
    assert await Label.filter(project_id=created["id"]).values_list("name", "color") == [
        ("new-label", transfer.DEFAULT_LABEL_COLOR)
    ]
    roles = await ProjectMember.filter(project_id=created["id"]).values_list("user_id", "role")
    assert roles == [(member.id, "admin")]


async def _count() -> int:
    return await Project.all().count()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"columns": [{"name": f"C{i}"} for i in range(51)]}, "at most 50 columns"),
        ({"cards": [{"title": f"T{i}", "columnIndex": 0} for i in range(501)]}, "at most 500"),
        ({"columns": []}, "at least one column"),
        ({"version": 2}, "only version 1"),
    ],
)
async def test_imports_over_the_limits_are_refused_whole(
    db: str, change: dict[str, Any], message: str
) -> None:
    board = await create_board()
    data = {"project": {"name": "Big"}, "columns": [{"name": "A"}], "cards": []} | change
    before = await _count()
    with pytest.raises(Invalid, match=message) as info:
        await transfer.import_project(actor=user_actor(board.owner), data=data, **_ws(board))
    assert not isinstance(info.value, ValidationFailed)
    assert await _count() == before


async def test_a_bad_card_at_the_end_leaves_nothing_behind(db: str) -> None:
    board = await create_board()
    cards: list[dict[str, Any]] = [{"title": f"T{i}", "columnIndex": i % 3} for i in range(500)]
    cards[499]["columnIndex"] = 3
    data = {"project": {"name": "Late"}, "columns": [{"name": n} for n in "ABC"], "cards": cards}
    before = (await _count(), await Card.all().count(), await Column.all().count())
    with pytest.raises(Invalid, match=r"cards\.499\.columnIndex"):
        await transfer.import_project(actor=user_actor(board.owner), data=data, **_ws(board))
    assert (await _count(), await Card.all().count(), await Column.all().count()) == before


async def test_a_failure_while_writing_rolls_the_whole_import_back(db: str) -> None:
    board = await create_board()
    cards: list[dict[str, Any]] = [{"title": f"T{i}", "columnIndex": 0} for i in range(500)]
    # Passes every check, then fails in the database on the last batch of cards.
    cards[499]["priority"] = "p" * 50
    data = {"project": {"name": "Late"}, "columns": [{"name": "A"}], "cards": cards}
    before = (await _count(), await Card.all().count())
    with pytest.raises(Exception):  # noqa: B017 - whichever error the backend raises
        await transfer.import_project(actor=user_actor(board.owner), data=data, **_ws(board))
    assert (await _count(), await Card.all().count()) == before


async def test_custom_field_values_are_checked_against_their_field(db: str) -> None:
    board = await create_board()
    base = {
        "project": {"name": "F"},
        "columns": [{"name": "A"}],
        "customFields": [{"name": "Size", "type": "select", "options": ["S", "M"]}],
    }
    for values, message in (
        ({"Size": "XL"}, r"cards\.0\.customFields\.Size: must be one of S, M"),
        ({"Colour": "red"}, "no custom field named 'Colour'"),
    ):
        data = base | {"cards": [{"title": "T", "customFields": values}]}
        with pytest.raises(Invalid, match=message):
            await transfer.import_project(actor=user_actor(board.owner), data=data, **_ws(board))
    assert await _count() == 1


async def test_who_may_export_and_import(db: str) -> None:
    board = await create_board()
    stranger = await create_user()
    colleague = await create_user()
    await add_member(board, colleague, project_role=None)
    data = {"project": {"name": "X"}, "columns": [{"name": "A"}]}
    with pytest.raises(NotFound):
        await transfer.export_project(
            actor=user_actor(colleague), project_id=board.project.id, **_ws(board)
        )
    with pytest.raises(NotFound):
        await transfer.import_project(actor=user_actor(stranger), data=data, **_ws(board))
    exported = await transfer.export_project(
        actor=user_actor(board.owner), project_id=board.project.id, **_ws(board)
    )
    assert exported["project"]["name"] == board.project.name
